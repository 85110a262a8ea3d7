"""An interactive decision-boundary explorer for a one-hidden-layer MLP (notebook 01).

``build_boundary_widget(data)`` returns a :class:`BoundaryWidget` (an ``ipywidgets.VBox``). Its
controls are plain attributes, so a test or a browser script can drive it:

========================  ==========================  =========================================
attribute                 widget (``description``)    values
========================  ==========================  =========================================
``activation``            Dropdown "activation"       ``"tanh"``, ``"relu"``, ``"sigmoid"``
``hidden_width``          IntSlider "hidden width"    1 to 128
``learning_rate``         FloatLogSlider "learning    1e-3 to 1 (Adam step size)
                          rate"
``steps``                 IntSlider "steps"           50 to 2000, by 50
========================  ==========================  =========================================

Changing any control retrains the model from the same seed (sliders only report the value where
they are released) and replaces, from Python state:

- ``image.value``: a PNG with the decision boundary (left) and the train/val loss curves (right);
- ``summary.value``: one HTML line with the settings, the parameter count and the final losses;
- ``curves``: the :class:`~ngram_helpers.toy_models.Curves` of the last run.

Nothing is printed inside an Output context, so the widget behaves the same under JupyterLab,
nbclient and nbval. The widget's display also carries the first picture as a plain PNG, which is
what a stored notebook shows where no kernel is running.
"""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

from ngram_helpers.language import say
from ngram_helpers.plots import plot_loss_curves
from ngram_helpers.toy_data import Split
from ngram_helpers.toy_models import (
    ACTIVATIONS,
    Curves,
    binary_loss,
    fit_full_batch,
    make_mlp,
    plot_decision_boundary,
)


def summary_line(
    activation: str,
    width: int,
    n_params: int,
    lr: float,
    steps: int,
    train_loss: float,
    val_loss: float,
) -> str:
    """The explorer's one line on a trained setting, in the learner's language (the book's
    explorer shows the same line, written for both editions by tools/export_boundary.py)."""
    return say(
        f"{activation}, width {width} ({n_params} parameters), lr {lr:.3g}, {steps} steps: "
        f"train loss {train_loss:.3f}, val loss {val_loss:.3f}",
        f"{activation}，宽度 {width}（{n_params} 个参数），学习率 {lr:.3g}，{steps} 步："
        f"训练损失 {train_loss:.3f}，验证损失 {val_loss:.3f}",
    )


class BoundaryWidget(widgets.VBox):
    """Controls, a one-line summary and a picture; see the module docstring for the contract."""

    def __init__(
        self,
        data: Split,
        *,
        activation: str = "tanh",
        hidden_width: int = 4,
        learning_rate: float = 0.03,
        steps: int = 300,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.data = data
        self.seed = seed
        slider = {"continuous_update": False, "style": {"description_width": "initial"}}
        self.activation = widgets.Dropdown(
            options=list(ACTIVATIONS), value=activation, description=say("activation", "激活函数")
        )
        self.hidden_width = widgets.IntSlider(
            value=hidden_width,
            min=1,
            max=128,
            description=say("hidden width", "隐藏层宽度"),
            **slider,
        )
        self.learning_rate = widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-3,
            max=0,
            step=0.1,
            readout_format=".3f",
            description=say("learning rate", "学习率"),
            **slider,
        )
        self.steps = widgets.IntSlider(
            value=steps, min=50, max=2000, step=50, description=say("steps", "步数"), **slider
        )
        self.summary = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.curves = Curves()
        controls = [self.activation, self.hidden_width, self.learning_rate, self.steps]
        for control in controls:
            control.observe(self._on_change, names="value")
        self.children = [
            widgets.HBox(controls[:2]),
            widgets.HBox(controls[2:]),
            self.summary,
            self.image,
        ]
        self.retrain()

    def _on_change(self, _change) -> None:
        self.retrain()

    def retrain(self) -> None:
        """Train a fresh model with the current settings and redraw picture and summary."""
        width = self.hidden_width.value
        model = make_mlp([2, width, 1], activation=self.activation.value, seed=self.seed)
        self.curves = fit_full_batch(
            model,
            self.data,
            binary_loss,
            learning_rate=self.learning_rate.value,
            steps=self.steps.value,
        )
        n_params = sum(p.numel() for p in model.parameters())
        activation, lr, steps = self.activation.value, self.learning_rate.value, self.steps.value
        train_loss, val_loss = self.curves.train_loss[-1], self.curves.val_loss[-1]
        line = summary_line(activation, width, n_params, lr, steps, train_loss, val_loss)
        self.summary.value = f"<code>{line}</code>"
        self.image.value = self._render(model)

    def _render(self, model) -> bytes:
        fig = Figure(figsize=(9, 3.6), dpi=80, layout="constrained")
        boundary_ax, loss_ax = fig.subplots(1, 2)
        plot_decision_boundary(
            boundary_ax, model, self.data.x_train, self.data.y_train, title="decision boundary"
        )
        plot_loss_curves(
            loss_ax,
            {
                "train": (self.curves.step, self.curves.train_loss),
                "val": (self.curves.step, self.curves.val_loss),
            },
            title="loss",
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget for JupyterLab, plus the current picture and a short text for static
        renderers (the default text would spell out every trait, PNG bytes included)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = say(
            "Decision-boundary explorer (run the notebook to move its controls)",
            "决策边界探索器（运行笔记本后才能拖动它的控件）",
        )
        return bundle


def build_boundary_widget(data: Split, **settings) -> BoundaryWidget:
    """Build the explorer for binary 2-D ``data`` (see :class:`BoundaryWidget` for ``settings``)."""
    return BoundaryWidget(data, **settings)
