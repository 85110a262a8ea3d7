"""The decision-boundary helpers and the interactive explorer of notebook 01, without a kernel."""

import pytest

from ngram_helpers.toy_data import two_moons
from ngram_helpers.widgets.boundary import build_boundary_widget

PNG_SIGNATURE = b"\x89PNG"


@pytest.fixture(scope="module")
def data():
    return two_moons(n_train=40, n_val=20, seed=0)


@pytest.fixture
def explorer(data, one_thread):
    return build_boundary_widget(data, hidden_width=4, steps=50)


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


def test_in_chinese_its_controls_and_summary_are_chinese(data, one_thread, chinese):
    explorer = build_boundary_widget(data, hidden_width=4, steps=50)
    bundle = explorer._repr_mimebundle_()
    controls = [explorer.activation, explorer.hidden_width, explorer.learning_rate, explorer.steps]
    assert [c.description for c in controls] == ["激活函数", "隐藏层宽度", "学习率", "步数"]
    assert "tanh，宽度 4（17 个参数）" in explorer.summary.value
    assert "决策边界探索器" in bundle["text/plain"]
