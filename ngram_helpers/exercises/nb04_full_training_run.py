"""The checks of notebook 04's exercises (each returns a feedback.Feedback, never raises).

Notebook 04 (the full training run) has five exercises, from a quick check to a small project:

- 4.1 A warm-up before the cosine: ``warmup_cosine(step, num_steps, max_lr, warmup)`` must give
  the warm-up schedule at every step of two runs; then two 1,000-step runs, with and without the
  warm-up, are measured (``check_warmup_cosine``).
- 4.2 Half the names new: a temperature at which about half of 500 sampled names are not in the
  data, measured here (``check_half_new_temperature``).
- 4.3 Nucleus (top-p) sampling: ``top_p_probs(probs, p)`` against ``nucleus_probs`` on a few
  distributions (``check_top_p``).
- 4.4 Nucleus against top-k: a nucleus name sampler, and a p at which it invents as many new names
  as top-k 3 (``check_nucleus_like_top_k``).
- 4.5 A checkpoint refused on purpose: the two ``CheckpointError`` s the learner caught, from a
  copy cut short and from a copy loaded with the wrong model shape (``check_refused_checkpoints``).

Every reference answer is computed here from package code: the schedule from ``train.cosine_lr``
(``warmup_cosine_lr`` below is built on it), the names from ``sample``'s table sampler, and the
nucleus from ``nucleus_probs`` and ``reference_nucleus_names`` below (the package's sampler offers
temperature and top-k only, so the reference nucleus lives here).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from ngram_helpers.checkpoint import CheckpointError, load_checkpoint
from ngram_helpers.data import NamesData, NgramTable, Tokenizer
from ngram_helpers.evaluate import SplitEvaluator
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
from ngram_helpers.fast import FastEngine
from ngram_helpers.models import ModelConfig
from ngram_helpers.sample import (
    LogitTable,
    draw_names,
    memoised_cdf,
    name_origins,
    origin_shares,
    sample_from_table,
)
from ngram_helpers.train import TrainConfig, build_model, cosine_lr

# How exercises 4.2 and 4.4 measure: the notebook's table of origins draws 500 names with seed 1.
NUM_MEASURED, MEASURE_SEED = 500, 1
HALF_NEW = (0.45, 0.55)  # exercise 4.2: "about half" of the names are new
SAME_SHARE = 0.03  # exercise 4.4: the nucleus's share of new names within 3 points of top-k's
TOP_K = 3  # exercise 4.4 matches the sampler's top-k 3
WARMUP_RUN = (1_000, 200)  # exercise 4.1 measures runs of 1,000 steps, 200 of them a warm-up


# -----------------------------------------------------------------------------
# Exercise 4.1 · A warm-up before the cosine


def warmup_cosine_lr(step: int, num_steps: int, max_lr: float, warmup: int) -> float:
    """The reference: up from 0 along a line for ``warmup`` steps, then a cosine down to 0."""
    if step < warmup:
        return max_lr * step / warmup
    return cosine_lr(step - warmup, num_steps - warmup, max_lr)


def _warmup_rates(
    schedule: Callable, steps: list[int], num_steps: int, max_lr: float, warmup: int
) -> torch.Tensor:
    """``schedule(step, num_steps, max_lr, warmup)`` at each step, as a float64 tensor."""
    rates = []
    for step in steps:
        call = f"warmup_cosine({step}, {num_steps}, {max_lr}, {warmup})"
        value = schedule(step, num_steps, max_lr, warmup)
        require(value is not None, f"{call} returned None")
        rates.append(as_number(value, call))
    return torch.tensor(rates, dtype=torch.float64)


def _warmup_problem(yours: torch.Tensor, num_steps: int, max_lr: float, warmup: int) -> str | None:
    """None if ``yours`` (the rate at every step) is the warm-up schedule; else what is wrong.

    Rates are compared as fractions of ``max_lr``; the known mistakes are tried first.
    """
    steps = range(num_steps)
    got = yours / max_lr

    def fractions(rate: Callable[[int], float]) -> torch.Tensor:
        return torch.tensor([rate(s) for s in steps], dtype=torch.float64)

    def close(candidate: torch.Tensor) -> bool:
        return bool((got - candidate).abs().max() <= 1e-6)

    ramp = [s / warmup for s in steps]
    if close(fractions(lambda s: warmup_cosine_lr(s, num_steps, 1.0, warmup))):
        return None
    if close(fractions(lambda s: cosine_lr(s, num_steps, 1.0))):
        return "there is no warm-up: the rate starts at max_lr; it should start at 0"
    if close(fractions(lambda s: ramp[s] if s < warmup else cosine_lr(s, num_steps, 1.0))):
        return (
            "after the warm-up the rate drops onto the cosine of the whole run: the cosine should "
            "start again at step warmup, from max_lr, and run over the num_steps − warmup steps "
            "left"
        )
    if close(fractions(lambda s: ramp[s] if s < warmup else cosine_lr(s - warmup, num_steps, 1.0))):
        return (
            f"it ends at {got[-1].item():.2f} · max_lr instead of about 0: after the warm-up the "
            "cosine has num_steps − warmup steps left, not num_steps"
        )
    if close(fractions(lambda s: min(ramp[s], 1.0))):
        return "after the warm-up the rate stays at max_lr; it should fall along the cosine to 0"
    peak = got.max().item()
    if peak < 1 - 1e-6:
        return (
            f"its highest rate is {peak:.3f} · max_lr: the warm-up should climb all the way to "
            "max_lr, at step warmup"
        )
    top = int((got >= 1 - 1e-6).nonzero()[0])
    if top != warmup:
        return (
            f"the warm-up ends at step {top:,}: it should reach max_lr at step warmup "
            f"({warmup:,} here), climbing by max_lr / warmup per step"
        )
    right = fractions(lambda s: warmup_cosine_lr(s, num_steps, 1.0, warmup))
    worst = int((got - right).abs().argmax())
    return (
        f"at step {worst:,} it gives {yours[worst].item():.4g}; the schedule gives "
        f"{right[worst].item() * max_lr:.4g}"
    )


def short_run_val_losses(
    schedule: Callable[[int], float],
    data: NamesData,
    model_config: ModelConfig,
    seed: int = TrainConfig().init_seed,
) -> dict[int, float]:
    """Val loss every 200 steps of a 1,000-step run whose rate at each step is ``schedule(step)``.

    The run is ``train``'s with the fast engine and the reference settings, started from
    ``build_model`` with ``seed``; only the rate differs.
    """
    config = TrainConfig(num_steps=WARMUP_RUN[0], init_seed=seed)
    model = build_model(data, model_config, config)
    take_step = FastEngine(model, config.weight_decay)
    batches = NgramTable(data.tokens["train"], model_config.context_length)
    val = SplitEvaluator(data.tokens["val"], model_config.context_length, config.batch_size, None)
    losses = {}
    for step in range(config.num_steps):
        if step % 200 == 0:
            losses[step] = val(model)
        take_step(*batches.batch(step, config.batch_size), schedule(step))
    losses[config.num_steps] = val(model)
    return losses


@checked
def check_warmup_cosine(
    warmup_cosine: object, data: NamesData, model_config: ModelConfig
) -> Feedback:
    """Exercise 4.1: ``warmup_cosine`` gives the warm-up schedule; then the two runs, measured.

    The rates are checked at every step of the measured run and of a longer one, so a function
    that ignores its arguments is caught; only a right schedule is trained with (two runs of
    1,000 steps, a few seconds).
    """
    require(
        callable(warmup_cosine),
        "`warmup_cosine` should be a function of (step, num_steps, max_lr, warmup)",
    )
    num_steps, warmup = WARMUP_RUN
    max_lr = TrainConfig().learning_rate
    if warmup_cosine(0, num_steps, max_lr, warmup) is None:
        return not_attempted("Write the body of `warmup_cosine` in the cell above")
    for run in ((num_steps, max_lr, warmup), (5_000, 0.01, 1_250)):
        yours = _warmup_rates(warmup_cosine, list(range(run[0])), *run)
        problem = _warmup_problem(yours, *run)
        where = "" if run[1:] == (max_lr, warmup) else " (5,000 steps from 0.01, warm-up 1,250)"
        require(problem is None, f"your schedule{where}: {problem}")
    plain = short_run_val_losses(lambda s: cosine_lr(s, num_steps, max_lr), data, model_config)
    warm = short_run_val_losses(
        lambda s: warmup_cosine_lr(s, num_steps, max_lr, warmup), data, model_config
    )
    rows = [f"{'step':>6}  {'cosine':>7}  {'warm-up':>7}  {'warm-up − cosine':>16}"]
    rows += [
        f"{s:6,d}  {plain[s]:7.4f}  {warm[s]:7.4f}  {warm[s] - plain[s]:+16.4f}" for s in plain
    ]
    return correct(
        f"your schedule gives every rate. The two runs of {num_steps:,} steps from the same start, "
        f"val loss:\n" + "\n".join(rows) + "\nCompare with your prediction. One run of each "
        "cannot tell a small gap from the luck of the starting seed: the worked solution repeats "
        "both runs from two more seeds"
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
