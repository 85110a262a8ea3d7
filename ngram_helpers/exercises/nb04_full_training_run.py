"""The checks of notebook 04's exercises (each returns a feedback.Feedback, never raises).

Notebook 04 (the full training run) has five exercises, from a quick check to a small project:

- 4.1 The cosine schedule: ``cosine_schedule(step, num_steps, max_lr)`` must give every learning
  rate the run logged, and those of another run too (``check_cosine_schedule``).
- 4.2 Half the names new: a temperature at which about half of 500 sampled names are not in the
  data, measured here (``check_half_new_temperature``).
- 4.3 Nucleus (top-p) sampling: ``top_p_probs(probs, p)`` against ``nucleus_probs`` on a few
  distributions (``check_top_p``).
- 4.4 Nucleus against top-k: a nucleus name sampler, and a p at which it invents as many new names
  as top-k 3 (``check_nucleus_like_top_k``).
- 4.5 A checkpoint refused on purpose: the two ``CheckpointError`` s the learner caught, from a
  copy cut short and from a copy loaded with the wrong model shape (``check_refused_checkpoints``).

Every reference answer is computed here from package code: the schedule from ``train.cosine_lr``,
the names from ``sample``'s table sampler, and the nucleus from ``nucleus_probs`` and
``reference_nucleus_names`` below (the package's sampler offers temperature and top-k only, so the
reference nucleus lives here).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import torch

from ngram_helpers.checkpoint import CheckpointError, load_checkpoint
from ngram_helpers.data import NamesData, Tokenizer
from ngram_helpers.exercises.feedback import (
    Feedback,
    as_number,
    as_tensor,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    require,
    require_distribution,
    wrong,
)
from ngram_helpers.sample import (
    LogitTable,
    draw_names,
    memoised_cdf,
    name_origins,
    origin_shares,
    sample_from_table,
)
from ngram_helpers.train import History, TrainConfig, cosine_lr

# How exercises 4.2 and 4.4 measure: the notebook's table of origins draws 500 names with seed 1.
NUM_MEASURED, MEASURE_SEED = 500, 1
HALF_NEW = (0.45, 0.55)  # exercise 4.2: "about half" of the names are new
SAME_SHARE = 0.03  # exercise 4.4: the nucleus's share of new names within 3 points of top-k's
TOP_K = 3  # exercise 4.4 matches the sampler's top-k 3


# -----------------------------------------------------------------------------
# Exercise 4.1 · The cosine schedule


def _rates(schedule: Callable, steps: list[int], num_steps: int, max_lr: float) -> torch.Tensor:
    """``schedule(step, num_steps, max_lr)`` at each step, as a float64 tensor."""
    rates = []
    for step in steps:
        value = schedule(step, num_steps, max_lr)
        require(value is not None, f"cosine_schedule({step}, {num_steps}, {max_lr}) returned None")
        rates.append(as_number(value, f"cosine_schedule({step}, {num_steps}, {max_lr})"))
    return torch.tensor(rates, dtype=torch.float64)


def _schedule_problem(
    yours: torch.Tensor, steps: list[int], num_steps: int, max_lr: float
) -> str | None:
    """None if ``yours`` is the cosine schedule at ``steps``; else what is wrong with it.

    Everything is compared as a fraction of ``max_lr``, so the tolerance does not depend on the
    size of the learning rate. The known mistakes are tried first, each with its own sentence.
    """
    fraction = torch.tensor([s / num_steps for s in steps], dtype=torch.float64)
    right = 0.5 * (1 + torch.cos(math.pi * fraction))
    got = yours / max_lr

    def close(candidate: torch.Tensor) -> bool:
        return bool((got - candidate).abs().max() <= 1e-6)

    if close(right):
        return None
    if close(torch.ones_like(got)):
        return "it stays at max_lr at every step: the cosine's argument never moves"
    if close(1 - right):
        return (
            "it rises from 0 to max_lr; it should fall from max_lr at step 0 to 0 at the end "
            "(1 + cos, not 1 − cos)"
        )
    if close(1 - fraction):
        return (
            "it falls along a straight line from max_lr to 0; the schedule follows half a cosine "
            "wave, which falls slowly at first, fastest half way, and slowly again at the end"
        )
    if close(0.5 * (1 + torch.cos(2 * math.pi * fraction))):
        return (
            "it falls and then climbs back to max_lr: the cosine's argument should run from 0 "
            "to π (π · step / num_steps), half a wave, not a whole one"
        )
    nonzero = right.abs() > 1e-9
    ratios = got[nonzero] / right[nonzero]
    ratio = ratios.mean().item()
    if (ratios - ratio).abs().max() < 1e-6:
        if abs(ratio * max_lr - 1) < 1e-6:
            return "it is the fraction of max_lr at each step: multiply it by max_lr"
        if abs(ratio - 2) < 1e-6:
            return "it is twice the right rate at every step: 1 + cos runs from 2 to 0, so halve it"
        return f"it is {ratio:.4g} times the right rate at every step"
    if abs(got[0] - 1) < 1e-6 and got[-1] > 0.05 and fraction[-1] > 0.99:
        return (
            f"it ends at {got[-1]:.2f} · max_lr instead of about 0: the cosine's argument should "
            "reach π at the last step (π · step / num_steps, in radians)"
        )
    worst = int((got - right).abs().argmax())
    return (
        f"at step {steps[worst]:,} it gives {yours[worst]:.4g}; the schedule gives "
        f"{right[worst] * max_lr:.4g}"
    )


@checked
def check_cosine_schedule(
    cosine_schedule: object, history: History, train_config: TrainConfig
) -> Feedback:
    """Exercise 4.1: ``cosine_schedule`` reproduces the logged rates, and another run's too.

    The run's own record, ``history.lr``, is the reference; a second schedule (1,000 steps from
    0.01) catches a function that ignores its arguments and uses this run's numbers.
    """
    require(
        callable(cosine_schedule),
        "`cosine_schedule` should be a function of (step, num_steps, max_lr)",
    )
    num_steps, max_lr = train_config.num_steps, train_config.learning_rate
    if cosine_schedule(0, num_steps, max_lr) is None:
        return not_attempted("Write the body of `cosine_schedule` in the cell above")
    yours = _rates(cosine_schedule, history.step, num_steps, max_lr)
    problem = _schedule_problem(yours, history.step, num_steps, max_lr)
    require(problem is None, f"your schedule does not match the run's: {problem}")
    logged = compare_tensors(yours, torch.tensor(history.lr), "your learning rates", atol=1e-9)
    require(logged is None, logged.message if logged else "")
    other_steps = [*range(0, 1000, 50), 999]
    other = _rates(cosine_schedule, other_steps, 1000, 0.01)
    problem = _schedule_problem(other, other_steps, 1000, 0.01)
    require(
        problem is None,
        f"your schedule fits this run but not a run of 1,000 steps from 0.01 ({problem}); use "
        "the arguments num_steps and max_lr rather than this run's numbers",
    )
    quarter = cosine_lr(num_steps // 4, num_steps, max_lr) / max_lr
    return correct(
        f"your schedule gives all {len(history.step)} learning rates the run logged. It falls "
        f"slowly at first (a quarter of the way in it is still {quarter:.0%} of max_lr), fastest "
        "half way, and creeps towards 0 at the end"
    )


# -----------------------------------------------------------------------------
# Exercise 4.2 · Half the names new


def _new_share(names: list[str], data: NamesData) -> float:
    return origin_shares(name_origins(names, data))["new"]


@checked
def check_half_new_temperature(answer: object, table: LogitTable, data: NamesData) -> Feedback:
    """Exercise 4.2: at temperature ``answer``, 45 to 55% of 500 sampled names are new.

    It measures as the notebook's table of origins does: ``sample_from_table`` with seed 1.
    """
    if answer is None:
        return not_attempted("Fill in `answer` in the cell above")
    temperature = as_number(answer, "`answer`")
    require(
        temperature != 0,
        "temperature 0 is greedy: every name is the same, most likely one; look above 0",
    )
    require(temperature > 0, f"a temperature is above 0; {temperature:g} is not")

    def share_at(t: float) -> float:
        names = sample_from_table(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, temperature=t)
        return _new_share(names, data)

    new = share_at(temperature)
    low, high = HALF_NEW
    measured = f"at temperature {temperature:g}, {new:.1%} of the {NUM_MEASURED} names are new"
    if new < low:
        hint = (
            " (0.5 is the share to aim for; the answer is a temperature)" if answer == 0.5 else ""
        )
        return wrong(
            f"{measured}: too few; a higher temperature flattens the distribution, and the "
            f"sampler leaves the familiar names more often{hint}"
        )
    if new > high:
        return wrong(
            f"{measured}: too many; a lower temperature sharpens the distribution towards the "
            "names the model knows well"
        )
    return correct(
        f"{measured}, against {share_at(1.0):.1%} at temperature 1, the model's own distribution"
    )


# -----------------------------------------------------------------------------
# Exercise 4.3 · Nucleus (top-p) sampling


def nucleus_probs(probs: torch.Tensor, p: float) -> torch.Tensor:
    """The nucleus (top-p) distribution of ``probs`` (V,), in vocabulary order.

    The most likely tokens are kept until their probabilities add up to at least ``p`` (the
    token that carries the total past ``p`` is kept); the others get 0, and the kept ones are
    divided by their sum.
    """
    order = torch.argsort(probs, descending=True, stable=True)
    ranked = probs[order]
    mass_before = torch.cumsum(ranked, dim=0) - ranked  # of the more likely tokens
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = mass_before < p
    kept = probs * keep
    return kept / kept.sum()


def _top_p_cases() -> list[tuple[torch.Tensor, float]]:
    """(probabilities over 27 tokens, p) pairs: two ordinary ones, a peaked one, p = 1, a tiny p.

    The ordinary distributions fall geometrically from the most likely token and are shuffled
    across the vocabulary, so the first case tells every known mistake apart from the right answer
    (sorted order included); the others cover the edges: a single token already past p, p = 1
    keeping every token, a tiny p keeping only the most likely one.
    """
    generator = torch.Generator().manual_seed(4)

    def geometric(ratio: float) -> torch.Tensor:
        weights = ratio ** torch.arange(27, dtype=torch.float64)
        return (weights / weights.sum())[torch.randperm(27, generator=generator)]

    peaked = torch.full((27,), 0.3 / 26, dtype=torch.float64)
    peaked[5] = 0.7
    steep, gentle = geometric(0.75), geometric(0.9)
    return [(steep, 0.5), (gentle, 0.9), (peaked, 0.6), (gentle, 1.0), (steep, 0.01)]


def _renormalised(kept: torch.Tensor) -> torch.Tensor:
    return kept / kept.sum() if kept.sum() > 0 else kept


def _top_p_mistakes(probs: torch.Tensor, p: float) -> list[tuple[torch.Tensor, str]]:
    """What the typical mistakes return for ``probs`` and ``p``, each with its explanation."""
    order = torch.argsort(probs, descending=True, stable=True)
    ranked = probs[order]
    mass_after = torch.cumsum(ranked, dim=0)  # including each token itself

    def kept_where(keep_ranked: torch.Tensor) -> torch.Tensor:
        keep = torch.zeros_like(probs, dtype=torch.bool)
        keep[order] = keep_ranked
        return probs * keep

    right_set = mass_after - ranked < p
    one_more = right_set.clone()
    one_more[int(right_set.sum()) : int(right_set.sum()) + 1] = True
    ascending = torch.argsort(probs, stable=True)
    tail = torch.zeros_like(probs, dtype=torch.bool)
    tail[ascending] = torch.cumsum(probs[ascending], dim=0) - probs[ascending] < p
    right = _renormalised(kept_where(right_set))
    mistakes = [
        (probs, "you returned the distribution unchanged: only the nucleus keeps probability"),
        (
            kept_where(mass_after <= p),
            "you left out the token whose probability carries the total past p: keep the "
            "smallest set of most likely tokens whose probabilities add up to at least p",
        ),
        (
            kept_where(one_more),
            "you kept one token more than needed: stop at the first token at which the running "
            "total reaches p",
        ),
        (probs * tail, "you kept the least likely tokens; the nucleus is the most likely ones"),
        (
            torch.sort(right, descending=True).values,
            "you returned the probabilities sorted from most to least likely; return them in "
            "vocabulary order (entry i belongs to token i), or the sampler draws other characters",
        ),
    ]
    found = []
    for kept, why in mistakes:
        for candidate in (_renormalised(kept), kept):
            if candidate.sum() > 0 and not torch.allclose(candidate, right, atol=1e-9):
                found.append((candidate, why))
    return found


@checked
def check_top_p(top_p_probs: object) -> Feedback:
    """Exercise 4.3: ``top_p_probs(probs, p)`` is the nucleus of ``probs``, renormalised.

    Compared with ``nucleus_probs`` on a few distributions over 27 tokens; the typical mistakes
    (the crossing token left out, the sum not renormalised, sorted order) get their own sentence.
    """
    require(callable(top_p_probs), "`top_p_probs` should be a function of (probs, p)")
    kept_counts = []
    for index, (probs, p) in enumerate(_top_p_cases()):
        given = probs.clone()
        result = top_p_probs(given, p)
        if result is None:
            if index == 0:
                return not_attempted("Write the body of `top_p_probs` in the cell above")
            return wrong(f"top_p_probs returned None for p = {p}")
        require(
            torch.equal(given, probs),
            "your function changed `probs` in place; work on a copy (the sampler reuses the "
            "model's distribution for every name)",
        )
        name = f"top_p_probs(probs, {p})"
        got = as_tensor(result, name)
        require(
            got.shape == probs.shape,
            f"{name} has shape {tuple(got.shape)}; it should be {tuple(probs.shape)}, one "
            "probability per token of the vocabulary",
        )
        expected = nucleus_probs(probs, p)
        if torch.isfinite(got).all() and (got - expected).abs().max() > 1e-6:
            for candidate, why in _top_p_mistakes(probs, p):
                require((got - candidate).abs().max() > 1e-6, f"with p = {p}, {why}")
            kept = probs * (expected > 0)
            total = kept.sum().item()
            require(
                (got - kept).abs().max() > 1e-6,
                f"your kept probabilities add up to {total:.3g}, not 1: divide them by their sum",
            )
        require_distribution(got, name)
        different = compare_tensors(got, expected, name)
        require(different is None, different.message if different else "")
        kept_counts.append(int((expected > 0).sum()))
    return correct(
        f"your nucleus matches on {len(kept_counts)} distributions; it kept {kept_counts[0]} of "
        f"27 tokens with p = 0.5, {kept_counts[1]} with p = 0.9, and just {kept_counts[2]} with "
        "p = 0.6 of a peaked distribution: its size follows the model's certainty, where top-k's "
        "never changes"
    )


# -----------------------------------------------------------------------------
# Exercise 4.4 · Nucleus against top-k


def reference_nucleus_names(
    table: LogitTable,
    tokenizer: Tokenizer,
    num: int,
    seed: int,
    p: float,
    kept: list[int] | None = None,
) -> list[str]:
    """``num`` names drawn with ``RNG(seed)``, each character from the nucleus of the model.

    The same draw as ``sample_from_table``, the distribution after each context being
    ``nucleus_probs`` of the softmax of its table row. If ``kept`` is a list, the number of
    tokens the nucleus kept is appended to it at every drawn character.
    """

    sizes: dict[tuple[int, ...], int] = {}  # how many tokens each context's nucleus kept

    def probs_after(context: list[int]) -> torch.Tensor:
        row = table.row(context)
        probs = nucleus_probs(torch.softmax(table.logits[row], dim=0), p)
        sizes[tuple(context)] = int((probs > 0).sum())
        return probs

    cdf_after = memoised_cdf(probs_after)

    def counted(context: list[int]) -> list[float]:
        cdf = cdf_after(context)
        if kept is not None:
            kept.append(sizes[tuple(context)])
        return cdf

    return draw_names(counted, tokenizer, table.context_length, num, seed)


def _compare_names(learner: Callable, table: LogitTable, data: NamesData) -> Feedback | None:
    """None if ``learner(50, 42, 0.9)`` draws the reference nucleus names; else what differs."""
    probe = learner(50, 42, 0.9)
    if probe is None:
        return not_attempted("Write `nucleus_names` and set `p_like_top3` in the cell above")
    require(
        isinstance(probe, list) and len(probe) == 50 and all(isinstance(n, str) for n in probe),
        f"nucleus_names(50, 42, 0.9) should return a list of 50 names (strings), not "
        f"{type(probe).__name__}" + (f" of length {len(probe)}" if isinstance(probe, list) else ""),
    )
    reference = reference_nucleus_names(table, data.tokenizer, 50, 42, 0.9)
    if probe == reference:
        return None
    if probe == sample_from_table(table, data.tokenizer, 50, seed=42):
        return wrong(
            "nucleus_names(50, 42, 0.9) draws the names of plain sampling: p changes nothing; "
            "pass each distribution through top_p_probs before drawing"
        )
    first = next(i for i, (a, b) in enumerate(zip(probe, reference, strict=True)) if a != b)
    return wrong(
        f"nucleus_names(50, 42, 0.9) differs at name {first + 1}: yours {probe[first]!r}, "
        f"expected {reference[first]!r}; draw as sample_from_table does, with draw_names and "
        "memoised_cdf, each context's distribution top_p_probs of the softmax of its table row"
    )


@checked
def check_nucleus_like_top_k(
    nucleus_names: object, p_like_top3: object, table: LogitTable, data: NamesData
) -> Feedback:
    """Exercise 4.4: the learner's nucleus sampler, and a p as inventive as top-k 3.

    ``nucleus_names(num, seed, p)`` must draw the reference nucleus names; at ``p_like_top3``
    the reference nucleus sampler's share of new names among 500 (seed 1) must be within 3
    points of top-k 3's.
    """
    require(callable(nucleus_names), "`nucleus_names` should be a function of (num, seed, p)")
    names_differ = _compare_names(nucleus_names, table, data)
    if names_differ is not None:
        return names_differ
    if p_like_top3 is None:
        return not_attempted("Set `p_like_top3` in the cell above")
    p = as_number(p_like_top3, "`p_like_top3`")
    require(0 < p <= 1, f"p is a share of probability, between 0 and 1; {p:g} is not")
    top_k_names = sample_from_table(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, top_k=TOP_K)
    target = _new_share(top_k_names, data)
    kept: list[int] = []
    share = _new_share(
        reference_nucleus_names(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, p, kept), data
    )
    measured = (
        f"at p = {p:g}, {share:.1%} of {NUM_MEASURED} names are new; top-k {TOP_K} makes "
        f"{target:.1%}"
    )
    if abs(share - target) > SAME_SHARE:
        if share < target:
            return wrong(f"{measured}: raise p, a larger nucleus invents more names")
        return wrong(f"{measured}: lower p, a smaller nucleus keeps closer to the known names")
    return correct(
        f"{measured}. Top-k keeps {TOP_K} characters at every step; your nucleus kept from "
        f"{min(kept)} to {max(kept)}, {sum(kept) / len(kept):.1f} on average: few where the model "
        "is sure, many where it is not"
    )


# -----------------------------------------------------------------------------
# Exercise 4.5 · A checkpoint refused on purpose


def _reason(error: BaseException) -> str:
    """The message of a ``CheckpointError`` without the path it starts with."""
    return str(error).partition(": ")[2] or str(error)


def _is_about(error: BaseException, path: Path) -> bool:
    """Whether the path a ``CheckpointError`` message starts with is ``path``."""
    named = str(error).partition(": ")[0]
    try:
        return Path(named).resolve() == path.resolve()
    except (OSError, ValueError):
        return False


def _require_refusal(error: object, which: str, real: Path) -> None:
    """Stop with a "not yet" unless ``error`` is a ``CheckpointError`` about a copy."""
    require(
        isinstance(error, BaseException),
        f"the {which} item is a {type(error).__name__}, not an error: keep the exception you "
        "caught (`except CheckpointError as err:`)",
    )
    require(
        isinstance(error, CheckpointError),
        f"the {which} error is a {type(error).__name__}, not a CheckpointError: load the file "
        "with load_checkpoint, which turns whatever goes wrong into one line",
    )
    require(
        "checkpoint not found" not in str(error),
        f"the {which} error says there was no file to load: load the copy after writing it, "
        "while its temporary folder still exists (inside the `with` block)",
    )
    require(
        not _is_about(error, real),
        f"the {which} error is about the real checkpoint ({real.name}); copy it into a "
        "temporary folder and damage or load only the copy",
    )


@checked
def check_refused_checkpoints(caught: object, checkpoint_path: str | Path) -> Feedback:
    """Exercise 4.5: ``caught`` holds the refusal of a cut-short copy, then of a wrong shape.

    Both must be ``CheckpointError`` s raised by ``load_checkpoint`` for a copy (never for the
    real file at ``checkpoint_path``, which must still load afterwards).
    """
    if caught is None:
        return not_attempted("Fill in `caught` in the cell above")
    require(
        isinstance(caught, tuple | list) and len(caught) == 2,
        f"`caught` should be a pair (the error for the cut-short copy, the error for the wrong "
        f"shape), not {type(caught).__name__}"
        + (f" of length {len(caught)}" if isinstance(caught, tuple | list) else ""),
    )
    real = Path(checkpoint_path)
    cut_short, other_shape = caught
    _require_refusal(cut_short, "first", real)
    _require_refusal(other_shape, "second", real)
    first, second = _reason(cut_short), _reason(other_shape)
    if "not a readable checkpoint" in second and "differs" in first:
        return wrong("the two errors are the right ones in the wrong order: cut short first")
    require(
        "not a readable checkpoint" in first,
        f"the first error says {first!r}; load the copy cut short, without any expect_* "
        "arguments: it should be refused as not readable",
    )
    require(
        "not a readable checkpoint" not in second,
        "the second error says the file is not readable: load the intact copy, not the cut one",
    )
    require(
        "model configuration differs" in second and "hidden_size" in second,
        f"the second error says {second!r}; it should say that the model configuration "
        "differs in hidden_size (expect_model_config=model_config_for(data, hidden_size=256))",
    )
    try:
        load_checkpoint(real)
    except CheckpointError as err:
        return wrong(
            f"both refusals are right, but the real checkpoint no longer loads ({_reason(err)}): "
            "delete it, then run the run and 'Saving the run' cells again"
        )
    return correct(
        f"both copies refused, each in one line: {first!r} and {second!r}; the real checkpoint "
        "still loads"
    )
