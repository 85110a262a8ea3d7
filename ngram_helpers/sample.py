"""Sampling names from a trained model (introduced in notebook 02, made interactive in notebook 04).

The reference rule draws one uniform number ("coin") per generated character from ``RNG`` and
walks the cumulative sum of the softmax probabilities until the sum exceeds the coin. On top of
that we offer the usual knobs:

- temperature: logits are divided by it before the softmax; 0 means greedy (always the argmax),
  below 1 sharpens the distribution, above 1 flattens it;
- top-k: only the k most likely characters keep their probability;
- prefix: the name starts with these letters (the context before them is padded with the end
  token, exactly as at the start of every name in training).

Command line::

    python -m ngram_helpers.sample --checkpoint runs/names.pt --num 10 --temperature 0.8
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import torch

from ngram_helpers.data import Tokenizer
from ngram_helpers.rng import RNG

REFERENCE_PROMPT = "\nrichard"
MAX_NAME_LENGTH = 40  # a greedy or very cold sampler could otherwise loop forever

Model = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor | None]]


def next_char_probs(
    model: Model, context: list[int], temperature: float = 1.0, top_k: int | None = None
) -> torch.Tensor:
    """The distribution (V,) of the next token after ``context`` (the last T tokens).

    Temperature 0 puts all mass on the most likely token. ``top_k`` keeps the k largest logits.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    with torch.inference_mode():
        logits = model(torch.tensor([context]))[0][0]
    vocab = logits.shape[0]
    if top_k is not None:
        if not 1 <= top_k <= vocab:
            raise ValueError(f"top_k must be between 1 and {vocab}, got {top_k}")
        kth_largest = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < kth_largest, float("-inf"))
    if temperature == 0:
        probs = torch.zeros(vocab)
        probs[torch.argmax(logits)] = 1.0
        return probs
    return torch.softmax(logits / temperature, dim=-1)


def draw(probs: torch.Tensor, coin: float) -> int:
    """The first index whose cumulative probability exceeds ``coin`` (the last one if none does).

    The cumulative sum runs in float32 from the left, as the reference's loop adds it up.
    """
    above = torch.nonzero(torch.cumsum(probs, dim=0) > coin)
    return int(above[0]) if len(above) else len(probs) - 1


def start_context(tokenizer: Tokenizer, prefix: str, context_length: int) -> list[int]:
    """The context that precedes the next character of a name beginning with ``prefix``."""
    padded = [tokenizer.end_token] * context_length + tokenizer.encode(prefix)
    return padded[-context_length:]


def sample_name(
    model: Model,
    tokenizer: Tokenizer,
    rng: RNG,
    context_length: int,
    prefix: str = "",
    temperature: float = 1.0,
    top_k: int | None = None,
) -> str:
    """One name: ``prefix`` followed by characters drawn until the end token (or a length cap)."""
    context = start_context(tokenizer, prefix, context_length)
    name = prefix
    while len(name) < MAX_NAME_LENGTH:
        token = draw(next_char_probs(model, context, temperature, top_k), rng.random())
        if token == tokenizer.end_token:
            break
        name += tokenizer.chars[token]
        context = context[1:] + [token]
    return name


def sample_names(
    model: Model,
    tokenizer: Tokenizer,
    num: int,
    seed: int = 42,
    prefix: str = "",
    temperature: float = 1.0,
    top_k: int | None = None,
) -> list[str]:
    """``num`` names drawn in turn from one ``RNG(seed)``: the same seed, the same list."""
    if num < 0:
        raise ValueError(f"number of names must be >= 0, got {num}")
    if tokenizer.end_token in tokenizer.encode(prefix):  # unknown characters raise here
        raise ValueError("the prefix must not contain a newline")
    rng = RNG(seed)
    context_length = model_context_length(model)
    return [
        sample_name(model, tokenizer, rng, context_length, prefix, temperature, top_k)
        for _ in range(num)
    ]


def continue_text(model: Model, tokenizer: Tokenizer, prompt: str, num_chars: int, rng: RNG) -> str:
    """The reference demo: ``prompt`` followed by ``num_chars`` tokens, names running on."""
    context_length = model_context_length(model)
    context = tokenizer.encode(prompt)
    if len(context) < context_length:
        raise ValueError(f"prompt needs at least {context_length} characters, got {prompt!r}")
    context = context[-context_length:]
    out = []
    for _ in range(num_chars):
        token = draw(next_char_probs(model, context), rng.random())
        out.append(token)
        context = context[1:] + [token]
    return prompt + tokenizer.decode(out)


def model_context_length(model: Model) -> int:
    """The context length T of an ``MLP`` or ``MLPRaw``."""
    return model.config.context_length


# -----------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    from ngram_helpers.checkpoint import CheckpointError, load_checkpoint
    from ngram_helpers.cli import ArgumentParser, fail

    parser = ArgumentParser(
        prog="python -m ngram_helpers.sample", description="Print names sampled from a checkpoint."
    )
    parser.add_argument("--checkpoint", required=True, help="file written by ngram_helpers.train")
    parser.add_argument("--num", type=int, default=10, help="how many names")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 = greedy")
    parser.add_argument("--top-k", type=int, default=None, help="keep the k likeliest characters")
    parser.add_argument("--prefix", default="", help="every name starts with these letters")
    parser.add_argument("--seed", type=int, default=42, help="seed of the sampling RNG (>= 1)")
    args = parser.parse_args(argv)
    try:
        checkpoint = load_checkpoint(args.checkpoint)
    except CheckpointError as err:
        return fail(err)
    try:
        names = sample_names(
            checkpoint.model,
            checkpoint.tokenizer,
            args.num,
            args.seed,
            args.prefix,
            args.temperature,
            args.top_k,
        )
    except ValueError as err:
        return fail(err)
    print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
