"""The series' figure style, its loss curves and confusion matrix, drawn with the Agg backend."""

import matplotlib.pyplot as plt
import pytest
import torch

from ngram_helpers.language import set_language
from ngram_helpers.plots import (
    SERIES_STYLE,
    plot_confusion_matrix,
    plot_loss_curves,
    plot_row_curves,
    use_series_style,
)


@pytest.mark.usefixtures("agg")
def test_the_series_style_applies_to_new_figures():
    use_series_style()
    for key, value in SERIES_STYLE.items():
        assert plt.rcParams[key] == value
    assert plt.figure().get_dpi() == SERIES_STYLE["figure.dpi"]


@pytest.mark.usefixtures("agg")
def test_loss_curves_are_labelled_lines_with_dashed_references():
    _, ax = plt.subplots()
    curves = {"train": ([0, 10, 20], [3.3, 2.5, 2.2]), "val": (range(3), (3.3, 2.6, 2.4))}
    returned = plot_loss_curves(ax, curves, title="a run", reference={"4-gram": 2.1234})
    assert returned is ax
    train, val, reference = ax.get_lines()
    assert (train.get_label(), val.get_label()) == ("train", "val")
    assert list(train.get_xdata()) == [0, 10, 20] and list(val.get_ydata()) == [3.3, 2.6, 2.4]
    assert reference.get_linestyle() == "--" and list(reference.get_ydata()) == [2.1234] * 2
    assert [text.get_text() for text in ax.texts] == ["4-gram 2.1234"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["train", "val"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("a run", "step", "loss (nats)")


@pytest.mark.usefixtures("agg")
def test_row_curves_are_drawn_val_zoomed_beside_train():
    step, val, train = [0, 10, 20], [3.3, 2.4, 2.2], [3.3, 2.3, 2.0]
    sidecar = {"curves": {"mlp-a": {"step": step, "val_loss": val, "train_loss": train}}}
    plot_row_curves(sidecar, ["mlp-a"], "one row")
    ax_val, ax_train = plt.gcf().axes
    assert ax_val.get_title() == "one row" and ax_train.get_title() == "train"
    assert ax_val.get_ylim() == pytest.approx((2.18, 2.45))  # a quarter of a nat above the lowest
    assert list(ax_train.lines[0].get_ydata()) == train


@pytest.mark.usefixtures("agg")
def test_a_confusion_matrix_writes_each_nonzero_count_in_its_cell():
    _, ax = plt.subplots()
    counts = torch.tensor([[9, 0, 1], [0, 8, 2], [3, 0, 7]])
    returned = plot_confusion_matrix(ax, counts, title="three classes")
    assert returned is ax
    written = {(t.get_position(), t.get_text(), t.get_color()) for t in ax.texts}
    assert ((0, 0), "9", "white") in written and ((2, 0), "1", "black") in written  # (col, row)
    assert len(ax.texts) == 6  # the three zeros are left blank
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "three classes",
        "predicted",
        "true",
    )


def test_a_confusion_matrix_must_be_square():
    with pytest.raises(ValueError, match=r"square; got shape \(2, 3\)"):
        plot_confusion_matrix(None, torch.zeros(2, 3))


@pytest.fixture
def chinese():
    """Chinese words for the rest of the test, English again after it."""
    set_language("zh")
    yield
    set_language("en")


@pytest.mark.usefixtures("agg", "chinese")
def test_in_chinese_the_figures_words_are_chinese_and_drawn_with_han_glyphs(recwarn):
    use_series_style()
    _, (ax_loss, ax_counts) = plt.subplots(1, 2)
    plot_loss_curves(ax_loss, {"训练": ([0, 1], [3.3, 2.5])}, title="损失曲线 (tanh)")
    plot_confusion_matrix(ax_counts, torch.tensor([[2, 1], [0, 3]]))
    assert (ax_loss.get_xlabel(), ax_loss.get_ylabel()) == ("步", "损失（奈特）")
    assert (ax_counts.get_title(), ax_counts.get_xlabel()) == ("混淆矩阵", "预测类别")
    plt.gcf().canvas.draw()  # a character without a glyph would warn "Glyph ... missing"
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
