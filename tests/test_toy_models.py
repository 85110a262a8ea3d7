"""The small MLPs of notebook 01: layout, seeded weights, training, decision boundaries."""

import pytest
import torch

from ngram_helpers.toy_data import two_moons
from ngram_helpers.toy_models import binary_loss, fit_full_batch, make_mlp, plot_decision_boundary


@pytest.fixture(scope="module")
def data():
    return two_moons(n_train=40, n_val=20, seed=0)


def test_mlp_layout_and_seeded_weights():
    model = make_mlp([2, 5, 3, 1], activation="relu", seed=7)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    again = make_mlp([2, 5, 3, 1], activation="relu", seed=7)
    pairs = zip(model.parameters(), again.parameters(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)


@pytest.mark.parametrize(
    ("sizes", "activation", "message"),
    [([2, 4, 1], "swish", "unknown activation 'swish'"), ([2], "tanh", "at least two")],
)
def test_mlp_rejects_bad_settings(sizes, activation, message):
    with pytest.raises(ValueError, match=message):
        make_mlp(sizes, activation=activation)


def test_fit_full_batch_lowers_the_loss(data):
    curves = fit_full_batch(
        make_mlp([2, 8, 1], seed=0), data, binary_loss, learning_rate=0.05, steps=40
    )
    assert curves.step == list(range(1, 41))
    assert len(curves.val_loss) == 40
    assert curves.train_loss[-1] < 0.7 * curves.train_loss[0]


def test_plot_decision_boundary_needs_2d_points(data):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    model = make_mlp([2, 3, 1])
    assert plot_decision_boundary(ax, model, data.x_train, data.y_train, resolution=20) is ax
    with pytest.raises(ValueError, match="2-D points"):
        plot_decision_boundary(ax, make_mlp([3, 1]), torch.zeros(4, 3), torch.zeros(4))
