"""Worked solutions of notebook 04's exercises (the full training run).

Try each exercise in the notebook first: the check cell tells you what is still wrong, and that
sentence teaches more than reading an answer. Come here once you have a solution of your own, or
when you are stuck for good.

Some answers need the notebook's objects (the trained model's ``table``, ``data``, the
checkpoint's path); those solutions are functions that take them, and the comment above each
one shows the line the notebook's answer cell would hold.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import torch

from ngram_helpers.checkpoint import CheckpointError, load_checkpoint
from ngram_helpers.data import NamesData, Tokenizer
from ngram_helpers.sample import (
    LogitTable,
    draw_names,
    memoised_cdf,
    name_origins,
    origin_shares,
    sample_from_table,
)
from ngram_helpers.train import model_config_for

# ----------------------------------------------------------------------------------------------
# Exercise 4.1 · The cosine schedule
#
# Half a cosine wave, cos(x) for x from 0 to π, falls from 1 to -1. Adding 1 and halving moves it
# to the range 1 ... 0, and multiplying by max_lr gives the rate. x = π · step / num_steps is the
# fraction of the run done, stretched to [0, π].
#
# What to notice: the curve is flat at both ends. At a quarter of the run the rate has lost only
# about 15% of its peak, at half it is exactly max_lr / 2, and during the last quarter it is
# already small, so the final steps only polish what is there: that is why the train loss keeps
# improving a little right to the end, with ever smaller steps. A straight line from max_lr to 0
# would also be "a decay to 0", but it cuts the rate early, when large steps still pay off.


def cosine_schedule(step: int, num_steps: int, max_lr: float) -> float:
    """The rate at ``step`` of ``num_steps``: max_lr · ½ · (1 + cos(π · step / num_steps))."""
    return max_lr * 0.5 * (1 + math.cos(math.pi * step / num_steps))


# ----------------------------------------------------------------------------------------------
# Exercise 4.2 · A checkpoint refused on purpose
#
# In the notebook:  caught = caught_for(CHECKPOINT, data)
#
# Two ways a checkpoint can be unusable, and load_checkpoint names each in one line:
#
# - the file is damaged: half of a PyTorch file is not a readable zip archive, torch.load raises
#   one of several long errors, and load_checkpoint turns all of them into "not a readable
#   checkpoint";
# - the file is fine but belongs to another model: the stored ModelConfig is compared field by
#   field with the one we expect, and the message names the field that differs and both values.
#
# The real checkpoint is never touched: every file here lives in a temporary folder that
# disappears at the end of the `with` block. Note where the errors are stored: Python deletes
# the name of an `except ... as err` clause when the clause ends, so the error has to be kept
# under another name inside it.


def caught_for(checkpoint_path: Path, data: NamesData) -> tuple[CheckpointError, CheckpointError]:
    """The refusals of a copy cut to half its bytes, and of a whole copy expecting hidden 256."""
    with tempfile.TemporaryDirectory() as folder:
        whole = Path(folder) / "whole.pt"
        shutil.copyfile(checkpoint_path, whole)
        content = whole.read_bytes()
        cut = Path(folder) / "cut.pt"
        cut.write_bytes(content[: len(content) // 2])
        try:
            load_checkpoint(cut)
        except CheckpointError as err:
            cut_short = err
        try:
            load_checkpoint(whole, expect_model_config=model_config_for(data, hidden_size=256))
        except CheckpointError as err:
            other_shape = err
    return cut_short, other_shape


# ----------------------------------------------------------------------------------------------
# Exercise 4.3 · Half the names new
#
# In the notebook:  answer = half_new_temperature(table, data)   (or the number it finds)
#
# The table of origins already brackets the answer: at temperature 0.6 fewer than half the names
# are new, at 1.0 more than half. The share grows with the temperature (a flatter distribution
# leaves the well-trodden paths of popular names more often), so halving the bracket until the
# measured share is close to 50% finds a temperature in a few measurements: bisection.
#
# What to notice: the measured share does not rise perfectly smoothly. The 500 names are drawn
# with the same coins at every temperature, and a small change of temperature changes a name as
# soon as one coin lands on another character, so the share moves in small steps. That is why
# the check accepts 45% to 55% rather than exactly 50%, and why a real comparison of samplers
# would average over several seeds.


def new_share(names: list[str], data: NamesData) -> float:
    """The fraction of ``names`` that occur in none of the splits."""
    return origin_shares(name_origins(names, data))["new"]


def half_new_temperature(table: LogitTable, data: NamesData) -> float:
    """A temperature at which 45-55% of 500 names (seed 1) are new, found by bisection."""
    low, high = 0.05, 2.0  # nearly greedy: few new names; very hot: nearly all new
    for _ in range(20):
        temperature = (low + high) / 2
        names = sample_from_table(table, data.tokenizer, 500, seed=1, temperature=temperature)
        share = new_share(names, data)
        if 0.45 <= share <= 0.55:
            return temperature
        if share < 0.5:
            low = temperature
        else:
            high = temperature
    return temperature


# ----------------------------------------------------------------------------------------------
# Exercise 4.4 · Nucleus (top-p) sampling
#
# Sort the probabilities from the largest down. The running total *before* each token is the
# mass of the tokens more likely than it; a token belongs to the nucleus while that mass is still
# below p. This keeps exactly the smallest set of top tokens whose sum reaches p, including the
# token that carries the total past p (with the total *after* each token, `cumsum <= p`, that
# token would be dropped, and with a very confident model nothing would be left at all).
#
# Two details make it usable by the sampler: the kept probabilities are divided by their sum so
# that they add up to 1 again, and the mask is scattered back to vocabulary order (`keep[order] =
# ...`), because the sampler reads entry i as the probability of token i. The input is not
# changed in place: the sampler reuses each distribution. The sort is stable so that equal
# probabilities keep their vocabulary order: which of two equally likely tokens makes the cut is
# then always the same one.


def top_p_probs(probs: torch.Tensor, p: float) -> torch.Tensor:
    """The nucleus of ``probs`` (V,): the smallest set of top tokens reaching p, renormalised."""
    ranked, order = torch.sort(probs, descending=True, stable=True)
    mass_before = torch.cumsum(ranked, dim=0) - ranked
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = mass_before < p  # back to vocabulary order
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum()


# ----------------------------------------------------------------------------------------------
# Exercise 4.5 · Nucleus against top-k
#
# In the notebook:  nucleus_names = nucleus_sampler(table, data.tokenizer)
#                   p_like_top3 = p_like_top3_for(table, data, nucleus_names)
#
# sample_from_table is three lines on top of two package functions: probs_after(context) gives
# the distribution after a context, memoised_cdf computes each context's running sums once, and
# draw_names spends one coin per character. A nucleus sampler only needs another probs_after.
#
# Matching "diversity" by the share of new names, a nucleus of p around 0.6 behaves like top-k 3
# on the notebook's model. The interesting part is how differently they get there. Top-k 3 always
# offers 3 characters: after "q", where the model is all but sure of "u", and at the start of a
# name, where many letters are plausible and none is likely (the favourite first letter has only
# about a sixth of the mass). The nucleus offers 1 character in the first case and about twice
# as many as top-k in the second; the check's message counts what it kept at each step.
#
# Counting first letters shows the consequence: all 500 names of top-k 3 start with one of the
# model's three favourite first letters, because after the empty context only those three are
# ever offered. The nucleus starts names with twice as many letters, and makes up for that
# freedom by being stricter than top-k where the model is sure. Both invent the same share of
# names, but not the same kind.


def nucleus_sampler(
    table: LogitTable, tokenizer: Tokenizer
) -> Callable[[int, int, float], list[str]]:
    """The learner's ``nucleus_names(num, seed, p)`` for the notebook's ``table``."""

    def nucleus_names(num: int, seed: int, p: float) -> list[str]:
        """``num`` names drawn with RNG(seed), each character from the top-p distribution."""

        def probs_after(context: list[int]) -> torch.Tensor:
            row = table.row(context)
            return top_p_probs(torch.softmax(table.logits[row], dim=0), p)

        return draw_names(memoised_cdf(probs_after), tokenizer, table.context_length, num, seed)

    return nucleus_names


def p_like_top3_for(table: LogitTable, data: NamesData, nucleus_names: Callable) -> float:
    """A p whose nucleus makes as many new names (within 2 points) as top-k 3, by bisection."""
    top3 = sample_from_table(table, data.tokenizer, 500, seed=1, top_k=3)
    target = new_share(top3, data)
    low, high = 0.05, 1.0  # a tiny nucleus is nearly greedy; p = 1 is plain sampling
    for _ in range(20):
        p = (low + high) / 2
        share = new_share(nucleus_names(500, 1, p), data)
        if abs(share - target) <= 0.02:
            return p
        if share < target:
            low = p
        else:
            high = p
    return p
