"""Which context position does the model listen to? A replacement probe (notebook 04).

Take one context, say "emm", and the model's next-character distribution p after it. Replace one
position by each character of the vocabulary in turn ("amm", "bmm", ..., "eam", ...) and measure
how far the new distribution q moves from p with the total variation distance

    TV(p, q) = 1/2 * sum_c |p(c) - q(c)|

which is the share of probability mass that has to move (0: no change, 1: no overlap at all).
A (T, V) grid of these distances, drawn as a heat map, shows which positions matter: usually the
last character most.

The model runs in evaluation mode (``evaluate.eval_mode``), as in evaluation and sampling.
"""

from __future__ import annotations

import torch

from ngram_helpers.data import END, END_GLYPH, Tokenizer, shown
from ngram_helpers.evaluate import eval_mode
from ngram_helpers.language import say
from ngram_helpers.models import MLP


def encode_context(tokenizer: Tokenizer, context: str, context_length: int) -> list[int]:
    """Token ids of ``context``, where ``END_GLYPH`` ('.') stands for the end-of-name token."""
    if len(context) != context_length:
        raise ValueError(
            f"context must have {context_length} characters, got {len(context)}: {context!r}"
        )
    return tokenizer.encode(context.replace(END_GLYPH, END))


@torch.inference_mode()
def context_probe(model: MLP, tokenizer: Tokenizer, context: str) -> torch.Tensor:
    """(T, V) total variation distances: row t, column v replaces position t by token v."""
    cfg = model.config
    tokens = torch.tensor(encode_context(tokenizer, context, cfg.context_length))
    variants = tokens.repeat(cfg.context_length, cfg.vocab_size, 1)  # (T, V, T)
    for position in range(cfg.context_length):
        variants[position, :, position] = torch.arange(cfg.vocab_size)
    with eval_mode(model):  # dropout off; the model's mode given back after
        logits = model(variants.view(-1, cfg.context_length))[0]
        p = torch.softmax(model(tokens[None])[0][0], dim=-1)
    q = torch.softmax(logits, dim=-1).view(cfg.context_length, cfg.vocab_size, cfg.vocab_size)
    return 0.5 * (q - p).abs().sum(dim=-1)


def plot_context_probe(ax, distances: torch.Tensor, tokenizer: Tokenizer, context: str):
    """Draw ``context_probe``'s grid as a heat map; a dot marks each position's own character.

    Returns the image (for ``fig.colorbar``).
    """
    labels = [shown(c) for c in tokenizer.chars]
    image = ax.imshow(distances.numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    rows = [
        say(f"position {t + 1} ({c!r})", f"位置 {t + 1}（{c!r}）") for t, c in enumerate(context)
    ]
    ax.set_yticks(range(len(context)), rows)
    own = encode_context(tokenizer, context, len(context))
    ax.scatter(own, range(len(context)), color="white", s=12)
    ax.set_xlabel(say("replacement character", "替换成的字符"))
    ax.set_title(
        say(
            f"how much the next-character distribution after {context!r} moves (TV)",
            f"{context!r} 之后下一个字符的分布移动了多少（TV）",
        )
    )
    return image
