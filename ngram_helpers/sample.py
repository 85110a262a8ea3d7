"""Sampling names from a trained model (notebook 04, where the sampler widget makes it live).

The reference rule draws one uniform number ("coin") per generated character from ``RNG`` and
walks the cumulative sum of the softmax probabilities until the sum exceeds the coin. On top of
that we offer the usual knobs:

- temperature: logits are divided by it before the softmax; 0 means greedy (always the argmax),
  below 1 sharpens the distribution, above 1 flattens it (a temperature that is not finite,
  or so small that the divided logits overflow, is refused with a ``ValueError``);
- top-k: only the k most likely characters keep their probability;
- prefix: the name starts with these letters (the context before them is padded with the end
  token, exactly as at the start of every name in training).

``iter_sample_names`` gives the same names one at a time, as they are drawn (the command line
prints a million names that way). For the interactive sampler of notebook 04, ``LogitTable``
asks the model once for every possible context, and ``name_origins`` says whether each sampled
name is a training name, a held-out one, or new.

The model always runs in evaluation mode, as in evaluation (``evaluate.eval_mode``): a model with
dropout that was left in training mode samples with every unit, and gets its mode back after.
Contexts go to the model's device; the coins and the cumulative sums stay Python floats, so a
model on a GPU draws the names the CPU draws unless a coin falls within float rounding of a step.

Command line (``ngram_helpers.cli``)::

    python -m ngram_helpers sample --checkpoint checkpoints/names-mlp.pt --num 10 --temperature 0.8
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Iterator

import torch

from ngram_helpers.data import NamesData, Tokenizer
from ngram_helpers.device import model_device
from ngram_helpers.evaluate import eval_mode
from ngram_helpers.language import say
from ngram_helpers.models import MLP
from ngram_helpers.rng import RNG

REFERENCE_PROMPT = "\nrichard"
MAX_NAME_LENGTH = 40  # a greedy or very cold sampler could otherwise loop forever

Model = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor | None]]


def tempered_probs(logits: torch.Tensor, temperature: float, top_k: int | None) -> torch.Tensor:
    """Turn rows of logits (N, V) into the distributions the sampler draws from (N, V).

    ``top_k`` keeps the k largest logits of each row; ``temperature`` divides the logits before
    the softmax, and 0 puts all mass on each row's most likely token (greedy). A temperature
    that is negative, not finite, or so close to 0 that the divided logits overflow (1e-300)
    raises ``ValueError``: it would give nan probabilities, not names.
    """
    check_temperature(temperature)
    vocab = logits.shape[1]
    if top_k is not None:
        if not 1 <= top_k <= vocab:
            raise ValueError(f"top_k must be between 1 and {vocab}, got {top_k}")
        kth_largest = torch.topk(logits, top_k, dim=1).values[:, -1:]
        logits = logits.masked_fill(logits < kth_largest, float("-inf"))
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(dim=1), vocab).float()
    scaled = logits / temperature
    if not torch.isfinite(scaled[torch.isfinite(logits)]).all():
        raise ValueError(
            f"temperature {temperature} is too close to 0: the logits divided by it overflow; "
            "use 0 for greedy sampling"
        )
    return torch.softmax(scaled, dim=1)


def check_temperature(temperature: float) -> None:
    """Raise ``ValueError`` unless ``temperature`` is 0 (greedy) or a positive finite number."""
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ValueError(
            f"temperature must be 0 (greedy) or a positive finite number, got {temperature}"
        )


def next_char_probs(
    model: Model, context: list[int], temperature: float = 1.0, top_k: int | None = None
) -> torch.Tensor:
    """The distribution (V,) of the next token after ``context`` (the last T tokens)."""
    with torch.inference_mode(), eval_mode(model):
        logits = model(torch.tensor([context], device=model_device(model)))[0]
    return tempered_probs(logits, temperature, top_k)[0]


def cumulative(probs: torch.Tensor) -> list[float]:
    """Running sums of ``probs``, added up in float32 from the left as the reference does."""
    return torch.cumsum(probs, dim=0).tolist()


def draw(cdf: list[float], coin: float) -> int:
    """The first index whose cumulative probability exceeds ``coin`` (the last one if none does)."""
    return min(bisect.bisect_right(cdf, coin), len(cdf) - 1)


def memoised_cdf(
    probs_after: Callable[[list[int]], torch.Tensor],
) -> Callable[[list[int]], list[float]]:
    """``cumulative(probs_after(context))``, computed once per distinct context and then reused.

    Sampling many names visits the same contexts again and again (every name starts from the
    same one), so each distribution is worth computing only once.
    """
    cache: dict[tuple[int, ...], list[float]] = {}

    def cdf_after(context: list[int]) -> list[float]:
        key = tuple(context)
        if key not in cache:
            cache[key] = cumulative(probs_after(context))
        return cache[key]

    return cdf_after


def start_context(tokenizer: Tokenizer, prefix: str, context_length: int) -> list[int]:
    """The context that precedes the next character of a name beginning with ``prefix``."""
    padded = [tokenizer.end_token] * context_length + tokenizer.encode(prefix)
    return padded[-context_length:]


def draw_names(
    cdf_after: Callable[[list[int]], list[float]],
    tokenizer: Tokenizer,
    context_length: int,
    num: int,
    seed: int = 42,
    prefix: str = "",
) -> list[str]:
    """``num`` names drawn in turn with one ``RNG(seed)``: the same seed, the same list.

    ``cdf_after(context)`` gives the cumulative next-token distribution after a context. Each
    name is ``prefix`` followed by tokens drawn (one coin each) until the end token or a length
    cap. ``sample_names`` asks the model for the distributions; the notebook 04 sampler looks
    them up in a precomputed table.
    """
    return list(iter_draw_names(cdf_after, tokenizer, context_length, num, seed, prefix))


def iter_draw_names(
    cdf_after: Callable[[list[int]], list[float]],
    tokenizer: Tokenizer,
    context_length: int,
    num: int,
    seed: int = 42,
    prefix: str = "",
) -> Iterator[str]:
    """The names of ``draw_names``, one at a time, each as soon as it is drawn.

    The arguments are checked here, at the call (``ValueError``), not at the first name; a
    million names then stream out instead of arriving together minutes later.
    """
    if num < 0:
        raise ValueError(f"number of names must be >= 0, got {num}")
    if tokenizer.end_token in tokenizer.encode(prefix):  # unknown characters raise here
        raise ValueError(say("the prefix must not contain a newline", "前缀里不能有换行符"))
    return _drawn(cdf_after, tokenizer, context_length, num, RNG(seed), prefix)


def _drawn(
    cdf_after: Callable[[list[int]], list[float]],
    tokenizer: Tokenizer,
    context_length: int,
    num: int,
    rng: RNG,
    prefix: str,
) -> Iterator[str]:
    """Draw ``num`` names with ``rng`` (see ``draw_names``), yielding each when complete."""
    for _ in range(num):
        context = start_context(tokenizer, prefix, context_length)
        name = prefix
        while len(name) < MAX_NAME_LENGTH:
            token = draw(cdf_after(context), rng.random())
            if token == tokenizer.end_token:
                break
            name += tokenizer.chars[token]
            context = context[1:] + [token]
        yield name


def sample_names(
    model: Model,
    tokenizer: Tokenizer,
    num: int,
    seed: int = 42,
    prefix: str = "",
    temperature: float = 1.0,
    top_k: int | None = None,
) -> list[str]:
    """``num`` names from ``model``; each context's distribution is computed once and reused."""
    return list(iter_sample_names(model, tokenizer, num, seed, prefix, temperature, top_k))


def iter_sample_names(
    model: Model,
    tokenizer: Tokenizer,
    num: int,
    seed: int = 42,
    prefix: str = "",
    temperature: float = 1.0,
    top_k: int | None = None,
) -> Iterator[str]:
    """The names of ``sample_names``, one at a time (arguments checked at the call)."""
    tempered_probs(torch.zeros(1, tokenizer.vocab_size), temperature, top_k)  # check the knobs
    cdf_after = memoised_cdf(lambda context: next_char_probs(model, context, temperature, top_k))
    return iter_draw_names(cdf_after, tokenizer, model.config.context_length, num, seed, prefix)


def continue_text(model: Model, tokenizer: Tokenizer, prompt: str, num_chars: int, rng: RNG) -> str:
    """The reference demo: ``prompt`` followed by ``num_chars`` tokens, names running on."""
    context_length = model.config.context_length
    context = tokenizer.encode(prompt)
    if len(context) < context_length:
        raise ValueError(f"prompt needs at least {context_length} characters, got {prompt!r}")
    context = context[-context_length:]
    out = []
    for _ in range(num_chars):
        token = draw(cumulative(next_char_probs(model, context)), rng.random())
        out.append(token)
        context = context[1:] + [token]
    return prompt + tokenizer.decode(out)


# -----------------------------------------------------------------------------
# Every context at once, and where the names come from (notebook 04)

ORIGINS = ("train", "val-test", "new")
MAX_TABLE_ROWS = 200_000  # beyond this many contexts the table would cost more than it saves


class LogitTable:
    """The logits of ``model`` for every possible context, computed once, as a (V**T, V) tensor.

    Row ``r`` belongs to the context whose tokens are the base-V digits of ``r`` (first position
    first); ``row(context)`` gives that number.
    """

    def __init__(self, model: MLP, chunk: int = 4096) -> None:
        cfg = model.config
        self.context_length, self.vocab_size = cfg.context_length, cfg.vocab_size
        rows = cfg.vocab_size**cfg.context_length
        if rows > MAX_TABLE_ROWS:
            raise ValueError(f"{rows} possible contexts: too many to tabulate")
        self.place_values = [cfg.vocab_size**p for p in range(cfg.context_length - 1, -1, -1)]
        places = torch.tensor(self.place_values, device=model_device(model))
        contexts = torch.arange(rows, device=places.device)[:, None] // places % cfg.vocab_size
        with torch.inference_mode(), eval_mode(model):
            self.logits = torch.cat([model(part)[0] for part in contexts.split(chunk)])

    def row(self, context: list[int]) -> int:
        """The table row of ``context`` (T token ids)."""
        return sum(token * place for token, place in zip(context, self.place_values, strict=True))


def sample_from_table(
    table: LogitTable,
    tokenizer: Tokenizer,
    num: int,
    seed: int = 42,
    prefix: str = "",
    temperature: float = 1.0,
    top_k: int | None = None,
) -> list[str]:
    """The names ``sample_names`` draws with the same arguments, from the table instead.

    Each context's cumulative distribution is computed from its table row once, when first
    visited, and then reused by ``draw_names``.
    """

    def probs_after(context: list[int]) -> torch.Tensor:
        r = table.row(context)
        return tempered_probs(table.logits[r : r + 1], temperature, top_k)[0]

    return draw_names(memoised_cdf(probs_after), tokenizer, table.context_length, num, seed, prefix)


def name_origins(names: list[str], data: NamesData) -> list[str]:
    """Where each name occurs: "train", else "val-test" (only in val or test), else "new"."""
    train = set(data.names("train"))
    held_out = set(data.names("val")) | set(data.names("test"))
    return ["train" if n in train else "val-test" if n in held_out else "new" for n in names]


def origin_shares(origins: list[str]) -> dict[str, float]:
    """The fraction of names of each origin (0.0 for an origin that does not occur)."""
    counts = Counter(origins)
    return {origin: counts[origin] / max(len(origins), 1) for origin in ORIGINS}
