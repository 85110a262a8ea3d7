"""Pictures of the models, drawn from the shapes the notebooks use (notebooks 01, 02 and 03).

Each function draws one schematic where its idea is first taught, on a new pyplot figure that it
returns; a notebook shows it with ``plt.show()``, as it shows its other figures. Every shape written
on a picture is computed from the arguments, so a picture stays true when the configuration
changes, and no picture draws anything at random.

- ``mlp_schematic``: the layers, units and the shapes of W and b of an MLP (01, section 1);
- ``backprop_schematic``: the forward pass as a graph, each edge with its local derivative
  (01, section 4);
- ``bengio_schematic``: the Bengio et al. language model, with its optional direct
  connections (02, section 3);
- ``word2vec_schematic``: skip-gram and CBOW on one sentence (03, section 1);
- ``negative_sampling_schematic``: one true context word against K noise words (03, section 3).

The pictures carry symbols, shapes and formulas rather than words, because the Chinese edition
shows the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ngram_helpers.language import say

if TYPE_CHECKING:
    from ngram_helpers.models import ModelConfig

INK = "#333333"  # text and arrows
BACKWARD = "#d62728"  # local derivatives: what backpropagation multiplies along an edge
MUTED = "#9a9a9a"  # what a picture leaves out or marks as optional
# (fill, edge) of a box by its role: data flowing forward, learned parameters, outputs, noise
KINDS = {
    "data": ("#dbe9f6", "#1f77b4"),
    "param": ("#fde7d1", "#ff7f0e"),
    "out": ("#dcefdc", "#2ca02c"),
    "noise": ("#eeeeee", "#7f7f7f"),
}
# the activations of notebook 01 and the derivative each contributes, written with its output H
DERIVATIVES = {
    "tanh": r"$\tanh'(A) = 1 - H^2$",
    "sigmoid": r"$\sigma'(A) = H\,(1 - H)$",
    "relu": r"$\mathrm{relu}'(A) = [A > 0]$",
}
VDOTS = "⋮"  # stands for the units or words a picture leaves out


@dataclass(frozen=True)
class _Box:
    """A drawn box: its centre and size in inches, for aiming arrows at its sides."""

    x: float
    y: float
    w: float
    h: float

    def left(self, dy: float = 0.0) -> tuple[float, float]:
        return self.x - self.w / 2, self.y + dy

    def right(self, dy: float = 0.0) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + dy

    def top(self, dx: float = 0.0) -> tuple[float, float]:
        return self.x + dx, self.y + self.h / 2

    def bottom(self, dx: float = 0.0) -> tuple[float, float]:
        return self.x + dx, self.y - self.h / 2


def _canvas(fig: Figure, rect: tuple[float, float, float, float] = (0, 0, 1, 1)) -> Axes:
    """Axes over ``rect`` of ``fig`` whose data units are inches, without ticks or frame."""
    ax = fig.add_axes(rect)
    width, height = fig.get_size_inches()
    ax.set_xlim(0, width * rect[2])
    ax.set_ylim(0, height * rect[3])
    ax.set_axis_off()
    return ax


def _text(ax: Axes, x: float, y: float, text: str, size: float = 10.5, **kwargs) -> None:
    """``text`` centred on (x, y) unless ``kwargs`` align it otherwise."""
    kwargs = {"ha": "center", "va": "center", "color": INK, **kwargs}
    ax.text(x, y, text, fontsize=size, **kwargs)


def _box(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    w: float,
    h: float = 0.42,
    kind: str = "data",
    size: float = 10.5,
    dashed: bool = False,
) -> _Box:
    """A rounded box centred on (x, y), ``w`` by ``h`` inches, with ``text`` in its middle.

    ``kind`` picks the colours of :data:`KINDS`; ``"group"`` is an unfilled dashed frame.
    """
    fill, edge = KINDS.get(kind, ("none", MUTED))
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle="round,pad=0,rounding_size=0.1",
        facecolor=fill,
        edgecolor=edge,
        linewidth=1.4,
        linestyle="--" if dashed or kind == "group" else "-",
        zorder=0 if kind == "group" else 2,
    )
    ax.add_patch(patch)
    _text(ax, x, y, text, size=size, linespacing=1.5)
    return _Box(x, y, w, h)


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    color: str = INK,
    dashed: bool = False,
    rad: float = 0.0,
) -> None:
    """An arrow from ``start`` to ``end``, bent by ``rad`` (0: straight)."""
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=13,
        color=color,
        linewidth=1.3,
        linestyle="--" if dashed else "-",
        connectionstyle=f"arc3,rad={rad}",
        shrinkA=1,
        shrinkB=1,
    )
    ax.add_patch(arrow)


def _gap(a: _Box, b: _Box) -> float:
    """The x halfway between the right side of ``a`` and the left side of ``b``."""
    return (a.x + a.w / 2 + b.x - b.w / 2) / 2


def _shape(symbols: str, numbers: tuple[int, ...]) -> str:
    """A shape by its symbols, then by its numbers: ``(B, T·E)`` over ``= (128, 144)``."""
    return f"({symbols})\n= {numbers}"


def _shown(n: int, most: int) -> list[int | None]:
    """Which of ``n`` items to draw in at most ``most`` slots; ``None`` is the slot of a ⋮."""
    if n <= most:
        return list(range(n))
    tail = (most - 1) // 2
    return [*range(most - 1 - tail), None, *range(n - tail, n)]


def mlp_schematic(
    sizes: Sequence[int], activation: str = "tanh", torch_layout: bool = False, max_units: int = 6
) -> Figure:
    """An MLP as columns of units, with the shapes of each layer's W and b (notebook 01, §1).

    ``sizes`` are the layer widths, input first (notebook 01's ``[4, 5, 3]``); ``activation``
    follows every layer but the last. A layer wider than ``max_units`` is drawn with a ⋮ in place
    of its middle units; its width is written under it. W is written (in, out), as notebook 01
    stores it for ``X @ W + b``, or (out, in) with ``torch_layout`` (``nn.Linear``'s layout).
    """
    if len(sizes) < 2 or min(sizes) < 1 or max_units < 3:
        raise ValueError(f"need two or more positive layer sizes, got {list(sizes)}")
    sizes = [int(n) for n in sizes]  # torch.Size or numpy integers print as plain numbers
    fig = plt.figure(figsize=(10, 4.2))
    ax = _canvas(fig)
    xs = np.linspace(0.8, 9.2, len(sizes))
    hidden = ["H"] if len(sizes) == 3 else [f"H_{i}" for i in range(1, len(sizes) - 1)]
    kinds = ["data", *["param"] * (len(sizes) - 2), "out"]
    units = []  # the (x, y) of each drawn unit, layer by layer
    for x, n, name, kind in zip(xs, sizes, ["X", *hidden, "Z"], kinds, strict=True):
        slots = _shown(n, max_units)
        ys = 2.1 + 0.42 * ((len(slots) - 1) / 2 - np.arange(len(slots)))
        units.append([(x, y) for y, s in zip(ys, slots, strict=True) if s is not None])
        for y in (y for y, s in zip(ys, slots, strict=True) if s is None):
            _text(ax, x, y, VDOTS, size=14)
        for xy in units[-1]:
            fill, edge = KINDS[kind]
            ax.add_patch(Circle(xy, 0.14, facecolor=fill, edgecolor=edge, lw=1.3, zorder=2))
        _text(ax, x, 0.7, f"${name}$: {n}", size=12)
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        for (xa, ya), (xb, yb) in ((a, b) for a in units[i] for b in units[i + 1]):
            ax.plot([xa, xb], [ya, yb], color="#c8c8c8", linewidth=0.7, zorder=1)
        mid, w = (xs[i] + xs[i + 1]) / 2, (n_out, n_in) if torch_layout else (n_in, n_out)
        _text(ax, mid, 3.7, f"$W_{i + 1}$ {w}\n$b_{i + 1}$ ({n_out},)", 11, color=KINDS["param"][1])
        if i < len(sizes) - 2:
            _box(ax, mid, 2.1, activation, w=0.8, h=0.36, kind="noise")
    return fig


def backprop_schematic(sizes: Sequence[int], batch_size: int, activation: str = "tanh") -> Figure:
    """The forward pass of notebook 01 as a graph, each edge with its local derivative (§4).

    ``sizes`` are (inputs, hidden units, classes), e.g. (2, 16, 2), and ``batch_size`` is N. The
    nodes are notebook 01's X, A = XW1 + b1, H = act(A), Z = HW2 + b2 and the cross-entropy L,
    each with its shape, and the parameters and labels Y that feed them; the red label on an
    edge is the local derivative that backpropagation multiplies by there.
    """
    if len(sizes) != 3 or activation not in DERIVATIVES:
        raise ValueError(f"need (inputs, hidden, classes) and one of {sorted(DERIVATIVES)}")
    n_in, hidden, n_out = sizes = [int(n) for n in sizes]
    batch_size = int(batch_size)
    act = r"\tanh" if activation == "tanh" else rf"\mathrm{{{activation}}}"
    fig = plt.figure(figsize=(10, 4.8))
    ax = _canvas(fig)
    nodes = [("$X$", n_in, 0.7), ("$A = XW_1 + b_1$", hidden, 2.75)]
    nodes += [(f"$H = {act}(A)$", hidden, 4.85), ("$Z = HW_2 + b_2$", n_out, 6.95)]
    y, boxes = 2.35, []
    for name, n, x in nodes:
        text = f"{name}\n{_shape(f'N, {n}', (batch_size, n))}"
        boxes.append(_box(ax, x, y, text, w=1.1 if x < 1 else 1.5, h=1.0))
    boxes.append(_box(ax, 9.5, y, "$L$\n()", w=0.7, h=1.0, kind="out"))
    labels = [r"$\partial A/\partial X = W_1^\top$", DERIVATIVES[activation]]
    labels += [r"$\partial Z/\partial H = W_2^\top$", r"$\partial L/\partial Z = (P - Y)/N$"]
    for a, b, label in zip(boxes[:-1], boxes[1:], labels, strict=True):
        _arrow(ax, a.right(), b.left())
        _text(ax, (a.x + b.x) / 2, y - 0.75, label, color=BACKWARD)
    _text(ax, _gap(boxes[3], boxes[4]), y + 0.1, r"$P = \mathrm{softmax}(Z)$", 10, va="bottom")
    for node, k, inputs in [(boxes[1], 1, "X"), (boxes[3], 2, "H")]:
        for side, name, shape, local in [
            (-1, f"W_{k}", (sizes[k - 1], sizes[k]), f"{inputs}^\\top"),
            (1, f"b_{k}", (sizes[k],), r"\mathbf{1}_N^\top"),
        ]:
            param = _box(ax, node.x + 0.62 * side, 4.3, f"${name}$ {shape}", w=1.1, kind="param")
            _arrow(ax, param.bottom(), node.top(0.35 * side))
            local = f"$\\partial {'AZ'[k - 1]}/\\partial {name} = {local}$"
            align = "right" if side < 0 else "left"
            _text(ax, node.x + 0.6 * side, 3.35, local, color=BACKWARD, ha=align)
    labels_y = f"$Y$ {_shape(f'N, {n_out}', (batch_size, n_out))}"
    target = _box(ax, 9.3, 0.65, labels_y, w=1.3, h=0.72)
    _arrow(ax, target.top(0.2), boxes[-1].bottom())
    return fig


def bengio_schematic(config: ModelConfig, batch_size: int) -> Figure:
    """The Bengio et al. (2003) network with every shape of ``config`` (notebook 02, §3).

    Context indices (B, T) look up rows of the table C (V, E), which are joined into x (B, T·E),
    passed through the tanh layer h (B, H) and turned into one score per symbol (B, V). The
    paper's optional direct connections from x to the output are dashed. Each shape is written
    with its symbols and with its numbers, e.g. ``(B, T·E)`` over ``= (128, 144)``.
    """
    b, t, e = int(batch_size), config.context_length, config.embedding_size
    h, v = config.hidden_size, config.vocab_size
    fig = plt.figure(figsize=(10, 4.4))
    ax = _canvas(fig)
    nodes = [
        (r"$\mathrm{idx}$", "B, T", (b, t), 1.0),
        (r"$C[\mathrm{idx}]$", "B, T, E", (b, t, e), 1.25),
        ("$x$", "B, T·E", (b, t * e), 1.2),
        (r"$h = \tanh(xW_1 + b_1)$", "B, H", (b, h), 1.8),
        ("$z = hW_2 + b_2$\n" r"$\mathrm{softmax}(z)$", "B, V", (b, v), 1.5),
    ]
    gap = (10 - 0.3 - sum(w for *_, w in nodes)) / (len(nodes) - 1)
    y, x, boxes = 2.35, 0.15, []
    for i, (name, symbols, numbers, w) in enumerate(nodes):
        text = f"{name}\n{_shape(symbols, numbers)}"
        kind = "out" if i == len(nodes) - 1 else "data"
        boxes.append(_box(ax, x + w / 2, y, text, w=w, h=1.25, kind=kind, size=10))
        x += w + gap
    for a, c in zip(boxes[:-1], boxes[1:], strict=True):
        _arrow(ax, a.right(), c.left())
    _text(ax, _gap(boxes[1], boxes[2]), y + 0.08, say("concat", "拼接"), size=9, va="bottom")
    params = [
        (0, f"$C$ (V, E)\n= ({v}, {e})"),
        (2, f"$W_1$ (T·E, H) = ({t * e}, {h})\n$b_1$ (H,) = ({h},)"),
        (3, f"$W_2$ (H, V) = ({h}, {v})\n$b_2$ (V,) = ({v},)"),
    ]
    for i, text in params:
        mid = _gap(boxes[i], boxes[i + 1])
        param = _box(ax, mid, 3.85, text, w=2.0 if i else 1.1, h=0.62, kind="param", size=9.5)
        _arrow(ax, param.bottom(), (mid, y + 0.04))
    x_box, out = boxes[2], boxes[-1]
    _arrow(ax, x_box.bottom(), out.bottom(-0.2), color=MUTED, dashed=True, rad=0.22)
    direct = f"$+\\,xW_d$, $W_d$ (T·E, V) = ({t * e}, {v}): optional"
    _text(ax, (x_box.x + out.x) / 2, 0.8, direct, color=MUTED)
    return fig


def word2vec_schematic(words: Sequence[str], centre: int, window: int) -> Figure:
    """Skip-gram and CBOW side by side on one sentence (notebook 03, §1).

    ``words`` is the sentence, ``centre`` the position of the centre word and ``window`` the m
    of notebook 03. Left, skip-gram: the centre word predicts each context word within m
    positions (arrows out). Right, CBOW: the context words' vectors, averaged, predict the centre
    word (arrows in). Words outside the window are grey and dashed; the small numbers are the
    offsets from the centre.
    """
    if not 0 <= centre < len(words) or window < 1:
        raise ValueError(f"centre {centre} is not a position of {len(words)} words, or window < 1")
    fig = plt.figure(figsize=(10, 3.8))
    step = min(0.95, 4.6 / len(words))
    xs = 2.5 + step * (np.arange(len(words)) - centre)
    xs -= min(0.0, xs[0] - 0.45) + max(0.0, xs[-1] - 4.55)  # keep a long sentence in its panel
    near = [j for j in range(len(words)) if j != centre and abs(j - centre) <= window]
    # mathtext has no Chinese characters: a Chinese title is plain text, its m upright
    skip_gram = say(f"skip-gram,  $m = {window}$", f"跳元模型（skip-gram），m = {window}")
    cbow = say(f"CBOW,  $m = {window}$", f"连续词袋模型（CBOW），m = {window}")
    panels = [(skip_gram, 0.75, 2.55, r"$P(w_o \mid w_c)$")]
    panels += [(cbow, 2.55, 0.75, r"$P(w_c \mid \bar{\mathbf{v}}_o)$")]
    for k, (title, centre_y, context_y, formula) in enumerate(panels):
        ax = _canvas(fig, (0.5 * k, 0, 0.5, 1))
        _text(ax, 2.5, 3.5, title, size=12)
        hub = _box(ax, xs[centre], centre_y, words[centre], step - 0.1, 0.5, ("data", "out")[k])
        side = 1 if xs[centre] < 3.3 else -1
        _text(ax, xs[centre] + 0.95 * side, centre_y, formula, size=11)
        if k == 1:  # CBOW: the context vectors meet in their mean, which predicts the centre
            mean = _box(ax, xs[centre], 1.75, r"$\bar{\mathbf{v}}_o$", w=0.55, kind="param")
            _arrow(ax, mean.top(), hub.bottom())
            average = rf"$= \frac{{1}}{{{len(near)}}}\sum_o \mathbf{{v}}_o$"
            _text(ax, mean.right()[0] + 0.1, 1.75, average, size=11, ha="left")
        for j in (j for j in range(len(words)) if j != centre):
            kind = ("out", "data")[k] if j in near else "noise"
            box = _box(ax, xs[j], context_y, words[j], step - 0.1, 0.5, kind, dashed=j not in near)
            offset_y = context_y + (0.42 if k == 0 else -0.42)
            _text(ax, xs[j], offset_y, f"${j - centre:+d}$", size=9, color=MUTED)
            if j in near:
                _arrow(ax, *((hub.top(), box.bottom()) if k == 0 else (box.top(), mean.bottom())))
    return fig


def negative_sampling_schematic(
    k: int, noise_words: Sequence[str] | None = None, centre: str = "", context: str = ""
) -> Figure:
    """Negative sampling: one true context word against ``k`` noise words (notebook 03, §3).

    The centre word's vector v_c is scored against the true context word's u_o, whose sigmoid
    is pushed to 1, and against K noise words u_1 ... u_K drawn from P(w) ∝ count(w)^0.75, whose
    sigmoids are pushed to 0; the loss of the pair is written beside the noise distribution.
    ``noise_words`` (K of them) name the noise words, e.g. words the notebook drew, and
    ``centre`` and ``context`` the two words of the pair; without them only symbols are shown.
    Beyond six noise words the middle ones are drawn as a ⋮.
    """
    if k < 1 or (noise_words is not None and len(noise_words) != k):
        raise ValueError(f"need k >= 1 and k noise words, got k={k}, {noise_words}")
    slots = _shown(k, 6)
    fig = plt.figure(figsize=(10, 2.0 + 0.55 * len(slots)))
    ax = _canvas(fig)
    top = 1.5 + 0.55 * len(slots)
    rows = [(top, "o", context, "out", "1")]
    for r, s in enumerate(slots):
        word = noise_words[s] if noise_words and s is not None else ""
        rows.append((top - 0.55 * (r + 1), s, word, "noise", "0"))
    centre_box = _box(ax, 1.0, top, rf"$\mathbf{{v}}_c$ {centre}".strip(), w=1.4, size=11)
    for y, s, word, kind, label in rows:
        if s is None:
            _text(ax, 3.8, y, VDOTS, size=14)
            continue
        sub = s if s == "o" else s + 1
        u = _box(ax, 3.8, y, rf"$\mathbf{{u}}_{{{sub}}}$ {word}".strip(), 1.5, 0.4, kind, 11)
        _arrow(ax, centre_box.right(), u.left(), color=MUTED)
        _arrow(ax, u.right(), (5.5, y))
        _text(ax, 6.3, y, rf"$\sigma(\mathbf{{u}}_{{{sub}}}^\top \mathbf{{v}}_c)$", size=12)
        _arrow(ax, (7.1, y), (7.9, y))
        _box(ax, 8.25, y, label, w=0.5, h=0.4, kind=kind, size=11)
    group_top, group_bottom = rows[1][0] + 0.27, rows[-1][0] - 0.27
    group = _box(
        ax, 3.8, (group_top + group_bottom) / 2, "", 1.75, group_top - group_bottom, "group"
    )
    _text(ax, 9.2, group.y, f"$K = {k}$", size=12)
    noise = r"$P(w) \propto \mathrm{count}(w)^{0.75}$"
    source = _box(ax, 3.8, 0.6, noise, w=2.8, kind="noise", size=11)
    # the word apart from the formula: mathtext has no Chinese characters
    _text(ax, source.left()[0] - 0.15, 0.6, say("noise", "噪声分布"), ha="right", color=MUTED)
    _arrow(ax, source.top(), group.bottom(), color=MUTED)
    loss = r"$\ell = -\log\sigma(\mathbf{u}_o^\top\mathbf{v}_c)"
    loss += r" - \sum_{k=1}^{K}\log\sigma(-\mathbf{u}_k^\top\mathbf{v}_c)$"
    _text(ax, 7.6, 0.6, loss, size=12)
    return fig
