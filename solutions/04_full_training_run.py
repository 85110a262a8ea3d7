"""Worked solutions of notebook 04's exercises (the full training run).

Try each exercise in the notebook first: the check cell tells you what is still wrong, and that
sentence teaches more than reading an answer. Come here once you have a solution of your own, or
when you are stuck for good.

Some answers need the notebook's objects (the trained ``model``, its ``table``, ``data``);
those solutions are functions that take them, and the comment above each
one shows the line the notebook's answer cell would hold.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import torch

from ngram_helpers.context_probe import context_probe
from ngram_helpers.data import END, END_GLYPH, NamesData, Tokenizer
from ngram_helpers.exercises.nb04_full_training_run import short_run_val_losses
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.sample import (
    LogitTable,
    draw_names,
    memoised_cdf,
    name_origins,
    origin_shares,
    sample_from_table,
)
from ngram_helpers.train import TrainConfig

# ----------------------------------------------------------------------------------------------
# Exercise 4.1 · A warm-up before the cosine
#
# In the notebook, after the check:  warmup_effect(data, model_config)   (six short runs)
#
# Two pieces joined at step `warmup`. Before it, the rate climbs along a straight line, step /
# warmup of max_lr: 0 at step 0, max_lr at step warmup. From there on it is notebook 02's cosine,
# started afresh: its own step counter is step - warmup and its length num_steps - warmup, so it
# begins at max_lr exactly where the line ends and reaches 0 at the end of the run.
#
# What to notice (warmup_effect below: 1,000-step runs, warm-up 200, three starting seeds): at
# step 200 the warm-up run's val loss is about 0.05 behind the plain run's in every seed; during
# the warm-up the rate averaged half the peak, so the model has moved less. By step 1,000 it has
# nearly caught up: 0.0005, 0.0008 and 0.0011 behind, less than the plain runs differ from one
# seed to the next (they end 0.003 apart), though behind in all three. This small model, with
# AdamW at 7e-4, has nothing to be protected from: its loss falls steadily from the first step,
# so the warm-up only spends steps. Warm-up was made for larger networks at higher rates (the
# Transformer of Vaswani et al., 2017, warmed up for 4,000 steps), where the first large steps
# from random weights can make training diverge.


def warmup_cosine(step: int, num_steps: int, max_lr: float, warmup: int) -> float:
    """Up from 0 along a line for ``warmup`` steps, then half a cosine from max_lr to 0."""
    if step < warmup:
        return max_lr * step / warmup
    progress = (step - warmup) / (num_steps - warmup)
    return max_lr * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_effect(
    data: NamesData, model_config: ModelConfig, seeds: tuple[int, ...] = (1337, 1338, 1339)
) -> None:
    """Print, per seed, the val loss of the warm-up run minus the plain cosine run's.

    Each run is the check's own 1,000-step run (``train``'s loop on the fast engine, val loss
    every 200 steps), from the given seed: only the learning rate differs between the two.
    """
    num_steps, warmup, max_lr = 1_000, 200, TrainConfig().learning_rate
    for seed in seeds:
        plain = short_run_val_losses(
            lambda s: warmup_cosine(s, num_steps, max_lr, 0), data, model_config, seed
        )
        warm = short_run_val_losses(
            lambda s: warmup_cosine(s, num_steps, max_lr, warmup), data, model_config, seed
        )
        gaps = "  ".join(f"{s}: {warm[s] - plain[s]:+.4f}" for s in plain if s)
        print(f"seed {seed}: plain ends at {plain[num_steps]:.4f}; warm-up − plain at {gaps}")


# ----------------------------------------------------------------------------------------------
# Exercise 4.2 · Half the names new
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
# Exercise 4.3 · Nucleus (top-p) sampling
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
# Exercise 4.4 · Nucleus against top-k
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


# ----------------------------------------------------------------------------------------------
# Exercise 4.5 · A context where the first character matters most
#
# In the notebook:  first_matters_most = first_position_context(model, data)   ('lle')
#
# Search instead of guessing: count the training stream's windows, and probe the contexts from
# the most frequent down until one has its largest mean distance at position 1. The first found
# is "lle" (320 windows). After "lle" the model gives the end of the name 68%: "-elle",
# "-belle", "-chelle" are endings. The first l is what makes it one: after "ale" the favourite is
# e at 20% and the end is not among the top three, after "ile" and "ele" neither. Replace the
# second l or the e instead and "ll" still says "an ending may be near". The start of a name
# works the same way: in ".ty" the end token says "a name starts with ty" (then r or l), and "aty"
# or "nty" is the middle of one (then a or n). The position that carries the information wins
# the probe, wherever it stands, and it stands last most of the time: over all windows of the
# training names the last position wins 88.5%, the middle 10.2%, the first 1.3% (the check
# prints these for the notebook's model).


def first_position_context(model: MLP, data: NamesData) -> str:
    """The most frequent context of the training names whose first position wins the probe."""
    tokens = data.tokens["train"]
    windows = Counter(tuple(tokens[i : i + 3]) for i in range(len(tokens) - 3))
    for context, _ in windows.most_common():
        text = data.tokenizer.decode(list(context)).replace(END, END_GLYPH)
        if context_probe(model, data.tokenizer, text).mean(dim=1).argmax() == 0:
            return text
    raise ValueError("no context of the training names has its first position winning")


# =============================================================================================
# Self-test · answers
# =============================================================================================
#
# 1. They are measured on different examples. The log's "train" is the first 20 batches of the
#    training walk (2,560 windows, about 1% of the 217,470); the final table scores the whole
#    training split. The model is the same: the final model scores 1.9401 on those 20 batches
#    too (measured). Those windows are a small, fixed sample, and their loss rises and falls with
#    the sawtooth, so compare val with the full-split figure, 1.9496. The gap to val (2.0689)
#    is what says the model has started to fit its training names.
#
# 2. Sharing. The count model estimates each 3-character context's distribution from that
#    context's own counts, so a rare context gets a poor estimate (smoothed with α). The MLP
#    maps characters to vectors and the contexts through one hidden layer: characters that
#    behave alike get similar vectors, and what the model learns from one context carries over
#    to similar ones, with 89,387 parameters for all of them. "Almost fair": both are scored on
#    the same examples, the walk through val, but where a name begins their contexts differ. The
#    MLP sees the previous name's last characters; the count model sees only end tokens, as in
#    the padded names it was counted from. That costs the count model next to nothing: scored
#    on padded names instead, its val is 2.0872 against 2.0875 on the walk (measured). And a
#    4-gram counted on the walk itself, so that it too sees across the boundary, does worse
#    (val 2.1128 in notebook 02): the previous name's tail is noise to a count model.
#
# 3. Above. Measured (OMP_NUM_THREADS=1, the notebook's code with NUM_STEPS = 5_000, fast
#    engine): the log ends at step 4999 with val 2.1554, and the final table prints train
#    2.1311, val 2.1554, test 2.1813, worse than the full run's 2.1473 at step 5,000 although
#    this run's rate has been annealed to 0. The cosine stretches over the run's length: the
#    short run spends its 5,000 steps at half the peak rate on average, while the long run is
#    still at 6.829e-04 at step 5,000. Early on the loss is still falling fast, and the distance
#    travelled counts for more than a quiet finish. Later, annealing wins: NUM_STEPS = 10_000
#    ends at val 2.1094 (measured), below the full run's 2.1238 at step 10,000. Do not run the
#    save cell afterwards: the 5,000-step model has the same data and shape, so it would
#    replace the 50,000-step checkpoint.
#
# 4. No: the same 200 characters, and the assert against continue_text still passes (measured).
#    exp(z) / Σ exp(z) and exp(z - m) / Σ exp(z - m) are the same numbers up to float rounding,
#    and a rounding difference of about 1e-7 changes a draw only if the coin falls that close to
#    a boundary of the running sum. The subtraction is there for large logits: float32 exp
#    overflows to inf above about 88.7, and inf / inf is nan. This model's largest logit over
#    all 19,683 contexts is 10.73 (measured), so nothing overflows at temperature 1. At
#    temperature 0.1 the scaled logits reach 107.3, and the softmax without the subtraction
#    gives nan for 43 of the 19,683 contexts (measured): there the subtraction is what keeps
#    the sampler working.
#
# 5. Almost all training names, and few different ones. Measured: train 97.4%, val-test 0.0%,
#    new 2.6%; only 26 different names among the 500, "harlee" 189 times and "harley" 126
#    times. The first names are the same four as at 0.3 (harley, mari, harlee, rayla): the
#    coins are the same at every temperature, and the colder the distribution, the more coins
#    fall on its most likely character. At temperature 0 every name is "harlee", the greedy
#    path through the model.
#
# 6. The total variation distance is the share of probability mass that changes place. For
#    each of the 27 symbols put in the last position of "emm" (the m itself among them, at
#    distance 0), the next-character distribution is compared with the original one; on
#    average 54% of its mass moves to other characters. Equivalently: for a typical
#    replacement there is a set of next characters whose total probability changes by 0.54.
#
# 7. The q, the middle position. Measured mean distances: 0.36, 0.76, 0.36, so the notebook's
#    assert (the last character matters most) would fail: it holds for "emm" and "..j", it is
#    not a law. After "aqu" the model puts 92% on a, i and e (0.40, 0.33, 0.19): after "qu" a
#    vowel comes. Replace the q and that knowledge is gone: after "abu" the favourite is b
#    (0.46), after "amu" s (0.25). Replace the u and the q is still there, and the model still
#    expects mostly vowels or y (after "aqa": i 0.29, y 0.28; after "aqe": e 0.56). The
#    position that carries the information wins, wherever it stands.
#
# 8. Two reasons. There are few of them: 1,708 distinct held-out names are not training names,
#    against 28,202 distinct training names (measured). If the model had learned the names'
#    distribution without favouring the ones it saw, about 5.7% of the real names it samples
#    would be held-out ones. It gives fewer: over 20 seeds of 500 names (measured), 3.4% at
#    temperature 1.0 and 2.8% at 0.6. That is the second reason: the model has fitted its
#    training names (train 1.9496 against val 2.0689), so an exact training name gets more
#    probability than an equally plausible real name it never saw. Each line of the notebook's
#    table counts only a few val-test names (0.4% of 500 is 2), so read it as a tendency.
#
# 9. The first layer multiplies the joined embeddings by W1, which is a sum over positions of
#    wte[x_t] @ W1_t. Directly, that costs B·T·E·H multiply-adds a step (128·3·48·512); the
#    tables P_t = wte @ W1_t cost T·V·E·H (27 in place of 128), after which the batch only looks
#    rows up and adds them. The backward pass gains the same way: dW1_t = wte.T @ dP_t and
#    dwte = Σ_t dP_t @ W1_t.T work with 27 rows, not 128. The saving exists only while the
#    batch is larger than the vocabulary: at batch 16 the tables are more multiply-adds than
#    the direct product (27 > 16), and what is left of the fast engine's advantage comes from
#    its other tricks (no autograd graph, tanh as 2σ(2x) − 1, one flat buffer for AdamW). The
#    output layer (B·H·V) is the same work in both engines.
