"""The decision-boundary helpers and the interactive explorer of notebook 01, without a kernel."""

import pytest
import torch

from ngram_helpers.boundary_widget import build_boundary_widget
from ngram_helpers.environment import MISSING_WIDGETS, check_widgets_available
from ngram_helpers.toy_data import two_moons
from ngram_helpers.toy_models import binary_loss, fit_full_batch, make_mlp, plot_decision_boundary

PNG_SIGNATURE = b"\x89PNG"


@pytest.fixture(scope="module")
def data():
    return two_moons(n_train=40, n_val=20, seed=0)


@pytest.fixture
def explorer(data, one_thread):
    return build_boundary_widget(data, hidden_width=4, steps=50)


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


def test_controls_have_readable_descriptions(explorer):
    controls = {
        "activation": explorer.activation,
        "hidden width": explorer.hidden_width,
        "learning rate": explorer.learning_rate,
        "steps": explorer.steps,
    }
    for description, control in controls.items():
        assert control.description == description
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert "tanh, width 4 (17 parameters)" in explorer.summary.value
    assert len(explorer.curves.train_loss) == 50


def test_changing_a_control_retrains_and_redraws(explorer):
    before_image, before_summary = bytes(explorer.image.value), explorer.summary.value
    explorer.hidden_width.value = 8
    assert "width 8 (33 parameters)" in explorer.summary.value
    assert bytes(explorer.image.value) != before_image and explorer.summary.value != before_summary
    explorer.activation.value = "relu"
    explorer.steps.value = 100
    assert "relu" in explorer.summary.value and "100 steps" in explorer.summary.value
    assert len(explorer.curves.val_loss) == 100


def test_same_settings_give_the_same_losses(explorer, data):
    other = build_boundary_widget(data, hidden_width=4, steps=50)
    assert other.summary.value == explorer.summary.value
    assert other.curves.train_loss == explorer.curves.train_loss


def test_display_carries_a_static_png(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]  # base64 text of the current picture


def test_widget_check_reports_a_missing_extension(monkeypatch, capsys):
    assert check_widgets_available(verbose=False) is True
    assert capsys.readouterr().out == ""

    def refuse(name):
        raise ImportError(name)

    monkeypatch.setattr("importlib.import_module", refuse)
    assert check_widgets_available() is False
    assert capsys.readouterr().out.strip() == MISSING_WIDGETS
