"""Looking at embeddings: PCA with a fixed sign, Procrustes alignment, cosine neighbours."""

import math

import matplotlib.pyplot as plt
import pytest
import torch

from ngram_helpers.embeddings import (
    cosine_neighbours,
    pca_2d,
    place_labels,
    plot_word_groups,
    procrustes_align,
)

# Centred, with orthogonal columns of variance 18 and 2: these are the principal coordinates.
LATENT = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 1.0], [0.0, -1.0]], dtype=torch.float64)
# Orthonormal directions in 3-D: the first's largest loading (-0.8) is negative, the second's not.
BASIS = torch.tensor([[0.6, -0.8, 0.0], [0.8, 0.6, 0.0]], dtype=torch.float64)
SHIFT = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)


def test_pca_turns_each_component_so_its_largest_loading_is_positive():
    coords = pca_2d(LATENT @ BASIS + SHIFT)
    flipped = LATENT * torch.tensor([-1.0, 1.0], dtype=torch.float64)  # -[0.6, -0.8, 0] is kept
    assert torch.allclose(coords, flipped, atol=1e-12)
    assert torch.allclose(pca_2d(-(LATENT @ BASIS)), -flipped, atol=1e-12)  # same components


def test_pca_fits_on_fit_rows_and_still_places_the_others():
    outlier = torch.tensor([[100.0, -50.0, 70.0]], dtype=torch.float64)
    vectors = torch.cat([LATENT @ BASIS + SHIFT, outlier])
    coords = pca_2d(vectors, fit_rows=[0, 1, 2, 3])
    assert torch.allclose(coords[:4], pca_2d(vectors[:4]), atol=1e-12)  # the outlier ignored
    components = torch.tensor([[-0.6, 0.8, 0.0], [0.8, 0.6, 0.0]], dtype=torch.float64)
    assert torch.allclose(coords[4], (outlier[0] - SHIFT) @ components.T, atol=1e-12)


def test_procrustes_recovers_a_known_rotation_scale_and_shift():
    generator = torch.Generator().manual_seed(0)
    source = torch.randn(20, 3, generator=generator, dtype=torch.float64)
    rotation, _ = torch.linalg.qr(torch.randn(3, 3, generator=generator, dtype=torch.float64))
    target = 2.5 * source @ rotation + SHIFT
    assert torch.allclose(procrustes_align(source, target), target, atol=1e-10)
    assert torch.allclose(procrustes_align(source.float(), target), target, atol=1e-5)


def assert_neighbours(got, expected):
    """The same rows in the same order (best first), with the same similarities."""
    assert [row for row, _ in got] == [row for row, _ in expected]
    assert [sim for _, sim in got] == pytest.approx([sim for _, sim in expected], abs=1e-12)


def test_cosine_neighbours_rank_as_computed_by_hand():
    rows = [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 0.0], [2.0, 0.1]]
    vectors = torch.tensor(rows, dtype=torch.float64)  # float64, as computed by hand
    by_hand = [(4, 2 / math.sqrt(4.01)), (1, 1 / math.sqrt(2)), (2, 0.0), (3, -1.0)]
    assert_neighbours(cosine_neighbours(vectors, 0, k=3), by_hand[:3])
    assert_neighbours(cosine_neighbours(vectors, 0, k=3, exclude=[4]), by_hand[1:])
    assert_neighbours(cosine_neighbours(vectors, 0, k=10), by_hand)  # never the query itself


def boxes_overlap(a, size_a, b, size_b):
    return all(abs(a[k] - b[k]) < (size_a[k] + size_b[k]) / 2 for k in (0, 1))


def test_a_lone_label_sits_just_above_its_point():
    ((x, y),) = place_labels([(100.0, 50.0)], [(30.0, 10.0)], marker=8.0, gap=1.0)
    assert x == 100.0 and 50.0 + 4 + 5 < y < 50.0 + 4 + 5 + 3  # half marker, half height, gaps


def test_crowded_labels_cover_neither_each_other_nor_any_point():
    anchors = [(100.0 + 3 * i, 100.0 + 2 * (i % 3)) for i in range(8)]  # eight points in a clump
    sizes = [(20.0 + 4 * i, 10.0) for i in range(8)]
    centres = place_labels(anchors, sizes, marker=8.0)
    for i, (centre, size) in enumerate(zip(centres, sizes, strict=True)):
        assert math.dist(centre, anchors[i]) < 60  # still near its own point
        for point in anchors:
            assert not boxes_overlap(centre, size, point, (8.0, 8.0))
        for j in range(i):
            assert not boxes_overlap(centre, size, centres[j], sizes[j])


def test_labels_need_one_size_each():
    with pytest.raises(ValueError, match="2 anchors but 1 label sizes"):
        place_labels([(0.0, 0.0), (1.0, 1.0)], [(5.0, 5.0)])


@pytest.mark.usefixtures("agg")
def test_word_groups_label_every_word_in_its_group_colour():
    _, ax = plt.subplots()
    coords = torch.tensor([[0.0, 0.0], [0.01, 0.0], [1.0, 1.0]])
    plot_word_groups(ax, coords, ["king", "queen", "war"], ["royal", "royal", "war"])
    texts = {text.get_text(): text.get_color() for text in ax.texts}
    assert texts == {"king": "C0", "queen": "C0", "war": "C1"}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["royal", "war"]
