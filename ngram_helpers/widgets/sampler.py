"""The interactive name sampler of notebook 04: sliders in, names and a probability chart out.

The widget redraws on every change, so a redraw must be quick (at most 50 ms for 20 names, see
``benchmarks/sampler_speed.py``). Two things make it quick:

- ``LogitTable`` (``ngram_helpers.sample``): a context of T characters from V has only V**T
  possible values (19,683 for the reference model), so the network is asked once for all of them
  and sampling becomes a row lookup.
- ``ProbabilityChart``: the axes, ticks and labels are drawn once; a redraw only paints the bars
  on top of that saved background ("blitting") and encodes the PNG.

Every output is set from Python state (``HTML.value``, ``Image.value``) inside the ``observe``
callbacks, never printed into an ``Output`` widget, so the widget behaves the same in JupyterLab,
under nbval, and in a plain pytest that sets ``widget.temperature.value = 0.5``.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ngram_helpers.data import NamesData, Tokenizer, shown
from ngram_helpers.language import say
from ngram_helpers.models import MLP
from ngram_helpers.sample import (
    ORIGINS,
    LogitTable,
    name_origins,
    origin_shares,
    sample_from_table,
    start_context,
    tempered_probs,
)


class ProbabilityChart:
    """A bar chart of a next-character distribution, rendered to PNG bytes by blitting.

    Filled blue: what the sampler draws from with the current settings. Gray outline: the model's
    own distribution (temperature 1, every character). The y axis is fixed to 0..1 so that the
    effect of temperature shows as bars growing and shrinking, not as the axis rescaling. Each
    distribution is one step-shaped patch (``stairs``), so a redraw paints two shapes only.
    """

    def __init__(self, chars: str, width: float = 5.6, height: float = 2.6, dpi: int = 80) -> None:
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.figure.add_subplot()
        edges = [i - 0.5 for i in range(len(chars) + 1)]
        zeros = [0.0] * len(chars)
        self.bars = ax.stairs(zeros, edges, fill=True, color="tab:blue", alpha=0.7, animated=True)
        self.outline = ax.stairs(zeros, edges, color="gray", linewidth=1, animated=True)
        ax.set_title(
            say(
                "next-character probabilities (gray: temperature 1, no top-k)",
                "下一个字符的概率（灰线：温度 1，不用 top-k）",
            ),
            fontsize=9,
        )
        ax.set_xticks(range(len(chars)), [shown(c) for c in chars], fontsize=8)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_ylim(0, 1)
        ax.set_ylabel(say("probability", "概率"), fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        self.axes = ax
        self.figure.tight_layout()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def render(self, probs: torch.Tensor, reference: torch.Tensor) -> bytes:
        """PNG bytes of the chart showing ``probs`` (filled) and ``reference`` (outlined)."""
        self.canvas.restore_region(self.background)
        for patch, values in ((self.bars, probs), (self.outline, reference)):
            patch.set_data(values.numpy())
            self.axes.draw_artist(patch)
        buffer = io.BytesIO()
        pixels = np.asarray(self.canvas.buffer_rgba())
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def origin_label(origin: str) -> str:
    """How an origin ("train", "val-test", "new") is shown, in the learner's language."""
    return {
        "train": say("train", "训练集"),
        "val-test": say("val-test", "验证/测试集"),
        "new": say("new", "新名字"),
    }[origin]


def names_html(names: list[str], origins: list[str]) -> str:
    """The sampled names as an HTML list, each tagged with its origin, then the shares."""
    shares = origin_shares(origins)
    share_line = " · ".join(f"{origin_label(origin)} {shares[origin]:.0%}" for origin in ORIGINS)
    items = "".join(
        f'<li class="ngram-name ngram-origin-{origin}"><b>{html.escape(name)}</b> '
        f"<small>({origin_label(origin)})</small></li>"
        for name, origin in zip(names, origins, strict=True)
    )
    sampled = say("<b>Sampled names</b>: ", "<b>生成的名字</b>：")
    return (
        f'<div class="ngram-sampler-shares">{sampled}{share_line}</div>'
        f'<ol class="ngram-sampler-list">{items}</ol>'
    )


class NameSampler(widgets.VBox):
    """Sliders and a prefix box that sample names from a model and chart the next character.

    Stable attributes (for notebooks and tests): ``temperature``, ``num_names``, ``top_k``,
    ``seed``, ``prefix`` (the controls); ``names_html`` (HTML list), ``chart`` (PNG Image),
    ``message`` (HTML, empty unless the prefix cannot be used); and after each redraw ``names``,
    ``origins``, ``probs`` (the filled bars) and ``error`` (the message as plain text, or "").
    CSS classes mark the parts in the browser: ``ngram-sampler`` (the whole widget),
    ``ngram-sampler-names``, ``ngram-sampler-chart``, ``ngram-sampler-chart-caption`` and
    ``ngram-sampler-message``.
    """

    def __init__(
        self,
        model: MLP,
        data: NamesData,
        *,
        num_names: int = 20,
        temperature: float = 1.0,
        seed: int = 42,
        prefix: str = "",
    ) -> None:
        self.table = LogitTable(model)
        self.tokenizer: Tokenizer = data.tokenizer
        self.data = data
        vocab = self.tokenizer.vocab_size
        style = {"description_width": "90px"}
        self.temperature = widgets.FloatSlider(
            value=temperature,
            min=0.0,
            max=2.0,
            step=0.05,
            readout_format=".2f",
            description=say("temperature", "温度"),
            style=style,
        )
        self.num_names = widgets.IntSlider(
            value=num_names, min=1, max=50, description=say("names", "名字个数"), style=style
        )
        self.top_k = widgets.IntSlider(
            value=vocab, min=1, max=vocab, description=say("top-k", "top-k"), style=style
        )
        self.seed = widgets.IntSlider(
            value=seed, min=1, max=1000, description=say("seed", "随机种子"), style=style
        )
        self.prefix = widgets.Text(
            value=prefix,
            description=say("prefix", "前缀"),
            placeholder=say("e.g. ma", "例如 ma"),
            style=style,
        )
        self.message = widgets.HTML()
        self.names_html = widgets.HTML(layout=widgets.Layout(min_width="260px"))
        self.chart = widgets.Image(format="png")
        self.chart_caption = widgets.HTML()
        self.plot = ProbabilityChart(self.tokenizer.chars)
        self.names: list[str] = []
        self.origins: list[str] = []
        self.probs = torch.zeros(vocab)
        self.error = ""
        for part, css in (
            (self, "ngram-sampler"),
            (self.names_html, "ngram-sampler-names"),
            (self.chart, "ngram-sampler-chart"),
            (self.chart_caption, "ngram-sampler-chart-caption"),
            (self.message, "ngram-sampler-message"),
        ):
            part.add_class(css)
        controls = [self.temperature, self.num_names, self.top_k, self.seed, self.prefix]
        super().__init__(
            [
                widgets.HBox([widgets.VBox(controls[:3]), widgets.VBox(controls[3:])]),
                self.message,
                widgets.HBox([self.names_html, widgets.VBox([self.chart_caption, self.chart])]),
            ]
        )
        for control in controls:
            control.observe(self.redraw, names="value")
        self.redraw()

    def redraw(self, change: dict | None = None) -> None:
        """Sample the names and draw the chart for the current control values."""
        prefix = self.prefix.value.strip().lower()
        try:
            names = sample_from_table(
                self.table,
                self.tokenizer,
                self.num_names.value,
                seed=self.seed.value,
                prefix=prefix,
                temperature=self.temperature.value,
                top_k=self.top_k.value,
            )
        except ValueError as err:
            self.error = say(f"Cannot use this prefix: {err}", f"无法使用这个前缀：{err}")
            self.message.value = f"<b>{html.escape(self.error)}</b>"
            self.names, self.origins = [], []
            self.names_html.value = ""
            self.chart_caption.value = say(
                "(the chart still shows the last usable prefix)", "（图中仍是上一个可用前缀的分布）"
            )
            return
        self.error = self.message.value = ""
        self.names, self.origins = names, name_origins(names, self.data)
        self.names_html.value = names_html(self.names, self.origins)
        self.chart.value = self.chart_png(prefix)

    def chart_png(self, prefix: str) -> bytes:
        """The next-character chart after ``prefix``, also kept as ``self.probs``."""
        row = self.table.row(start_context(self.tokenizer, prefix, self.table.context_length))
        logits = self.table.logits[row : row + 1]
        self.probs = tempered_probs(logits, self.temperature.value, self.top_k.value)[0]
        reference = torch.softmax(logits[0], dim=0)
        shown_prefix = html.escape(repr(prefix))
        temperature, top_k = self.temperature.value, self.top_k.value
        self.chart_caption.value = say(
            f"Next character after <b>{shown_prefix}</b>: temperature {temperature:.2f}, top-k "
            f"{top_k}",
            f"<b>{shown_prefix}</b> 之后的下一个字符：温度 {temperature:.2f}，top-k {top_k}",
        )
        return self.plot.render(self.probs, reference)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget for JupyterLab, plus a still copy for pages that cannot run it.

        JupyterLab shows the live widget. A stored notebook read on the web (GitHub, nbviewer), or
        opened without its kernel, shows ``still_html`` instead: the draw the widget made when the
        cell ran, with the settings it was made with. Nothing is printed under the widget, since
        printed names would stay behind when the controls move.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        chart = base64.b64encode(bytes(self.chart.value)).decode("ascii")  # encoded once
        bundle["text/html"] = self.still_html(chart)
        bundle["image/png"] = chart
        bundle["text/plain"] = "\n".join([self.settings_line(), self.summary()])
        return bundle

    def settings_line(self) -> str:
        """The controls' values in one line, saying which draw a still copy shows."""
        return say(
            f"Name sampler (run the notebook to move its controls): temperature "
            f"{self.temperature.value:.2f}, top-k {self.top_k.value}, seed {self.seed.value}, "
            f"prefix {self.prefix.value.strip().lower()!r}",
            f"名字生成器（运行笔记本后才能拖动它的控件）：温度 {self.temperature.value:.2f}，"
            f"top-k {self.top_k.value}，随机种子 {self.seed.value}，"
            f"前缀 {self.prefix.value.strip().lower()!r}",
        )

    def still_html(self, chart: str) -> str:
        """The current draw as plain HTML: the settings, the names and ``chart`` (the chart's
        PNG in base64)."""
        shown_names = html.escape(self.error) if self.error else self.names_html.value
        return (
            f"<p><i>{html.escape(self.settings_line())}</i></p>"
            '<div style="display: flex; gap: 1em; align-items: flex-start">'
            f"<div>{shown_names}</div>"
            f'<div>{self.chart_caption.value}<br><img src="data:image/png;base64,{chart}"></div>'
            "</div>"
        )

    def summary(self) -> str:
        """The current names and shares as plain text."""
        if self.error:
            return self.error
        shares = origin_shares(self.origins)
        lines = [", ".join(f"{origin_label(o)} {shares[o]:.0%}" for o in ORIGINS)]
        width = max(len(name) for name in self.names) if self.names else 0
        lines += [
            f"{name:<{width}}  {origin_label(origin)}"
            for name, origin in zip(self.names, self.origins, strict=True)
        ]
        return "\n".join(lines)


def build_sampler(model: MLP, data: NamesData, **settings) -> NameSampler:
    """The sampler widget for ``model``; ``settings`` are the initial control values."""
    return NameSampler(model, data, **settings)
