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
- 4.5 A context where the first character matters most: a context of the training names in which
  replacing the first character moves the prediction more than replacing the others, as
  ``context_probe`` measures it (``check_first_matters_most``).

Every reference answer is computed here from package code: the schedule from ``train.cosine_lr``
(``warmup_cosine_lr`` below is built on it), the names from ``sample``'s table sampler, and the
nucleus from ``nucleus_probs`` and ``reference_nucleus_names`` below (the package's sampler offers
temperature and top-k only, so the reference nucleus lives here).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ngram_helpers.data import END, END_GLYPH, NamesData, NgramTable, Tokenizer
from ngram_helpers.evaluate import SplitEvaluator
from ngram_helpers.exercises.feedback import (
    Feedback,
    Rejected,
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
from ngram_helpers.language import say
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
        require(value is not None, say(f"{call} returned None", f"{call} 返回了 None"))
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
        return say(
            "there is no warm-up: the rate starts at max_lr; it should start at 0",
            "没有预热：学习率从 max_lr 开始；它应当从 0 开始",
        )
    if close(fractions(lambda s: ramp[s] if s < warmup else cosine_lr(s, num_steps, 1.0))):
        return say(
            "after the warm-up the rate drops onto the cosine of the whole run: the cosine should "
            "start again at step warmup, from max_lr, and run over the num_steps − warmup steps "
            "left",
            "预热之后，学习率掉到了整个训练的余弦曲线上：余弦应当在第 warmup 步从 max_lr 重新开始，"
            "走完剩下的 num_steps − warmup 步",
        )
    if close(fractions(lambda s: ramp[s] if s < warmup else cosine_lr(s - warmup, num_steps, 1.0))):
        return say(
            f"it ends at {got[-1].item():.2f} · max_lr instead of about 0: after the warm-up the "
            "cosine has num_steps − warmup steps left, not num_steps",
            f"它最后停在 {got[-1].item():.2f} · max_lr，而不是接近 0：预热之后，余弦只剩 num_steps "
            "− warmup 步，而不是 num_steps 步",
        )
    if close(fractions(lambda s: min(ramp[s], 1.0))):
        return say(
            "after the warm-up the rate stays at max_lr; it should fall along the cosine to 0",
            "预热之后学习率一直停在 max_lr；它应当沿余弦降到 0",
        )
    peak = got.max().item()
    if peak < 1 - 1e-6:
        return say(
            f"its highest rate is {peak:.3f} · max_lr: the warm-up should climb all the way to "
            "max_lr, at step warmup",
            f"它的最高学习率是 {peak:.3f} · max_lr：预热应当一直升到 max_lr，在第 warmup 步到达",
        )
    top = int((got >= 1 - 1e-6).nonzero()[0])
    if top != warmup:
        return say(
            f"the warm-up ends at step {top:,}: it should reach max_lr at step warmup ({warmup:,} "
            "here), climbing by max_lr / warmup per step",
            f"预热在第 {top:,} 步结束：它应当在第 warmup 步（这里是 {warmup:,}）到达 max_lr，"
            "每步升高 max_lr / warmup",
        )
    right = fractions(lambda s: warmup_cosine_lr(s, num_steps, 1.0, warmup))
    worst = int((got - right).abs().argmax())
    return say(
        f"at step {worst:,} it gives {yours[worst].item():.4g}; the schedule gives "
        f"{right[worst].item() * max_lr:.4g}",
        f"在第 {worst:,} 步它给出 {yours[worst].item():.4g}；正确的调度是 "
        f"{right[worst].item() * max_lr:.4g}",
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
        say(
            "`warmup_cosine` should be a function of (step, num_steps, max_lr, warmup)",
            "`warmup_cosine` 应当是 (step, num_steps, max_lr, warmup) 的函数",
        ),
    )
    num_steps, warmup = WARMUP_RUN
    max_lr = TrainConfig().learning_rate
    if warmup_cosine(0, num_steps, max_lr, warmup) is None:
        return not_attempted(
            say(
                "Write the body of `warmup_cosine` in the cell above",
                "在上面的单元格里写出 `warmup_cosine` 的函数体",
            )
        )
    for run in ((num_steps, max_lr, warmup), (5_000, 0.01, 1_250)):
        yours = _warmup_rates(warmup_cosine, list(range(run[0])), *run)
        problem = _warmup_problem(yours, *run)
        where = (
            ""
            if run[1:] == (max_lr, warmup)
            else say(
                " (5,000 steps from 0.01, warm-up 1,250)",
                "（5,000 步，从 0.01 开始，预热 1,250 步）",
            )
        )
        require(
            problem is None, say(f"your schedule{where}: {problem}", f"你的调度{where}：{problem}")
        )
    plain = short_run_val_losses(lambda s: cosine_lr(s, num_steps, max_lr), data, model_config)
    warm = short_run_val_losses(
        lambda s: warmup_cosine_lr(s, num_steps, max_lr, warmup), data, model_config
    )
    header = say(
        "  step   cosine  warm-up  warm-up − cosine", "    步     余弦     预热       预热 − 余弦"
    )
    rows = [header]
    rows += [
        f"{s:6,d}  {plain[s]:7.4f}  {warm[s]:7.4f}  {warm[s] - plain[s]:+16.4f}" for s in plain
    ]
    table = "\n".join(rows)
    return correct(
        say(
            f"your schedule gives every rate. The two runs of {num_steps:,} steps from the same "
            f"start, val loss:\n{table}\nCompare with your prediction. One run of each cannot tell "
            "a small gap from the luck of the starting seed: the worked solution repeats both "
            "runs from two more seeds",
            f"你的调度每一步的学习率都对。从同一起点出发、各 {num_steps:,} 步的两次训练，验证损失："
            f"\n{table}\n和你的预测比一比。每种各跑一次，分不清小的差距是不是来自起始种子的运气："
            "参考解答用另外两个种子把两次训练都重复了一遍",
        )
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
        return not_attempted(
            say("Fill in `answer` in the cell above", "在上面的单元格里填好 `answer`")
        )
    temperature = as_number(answer, "`answer`")
    require(
        temperature != 0,
        say(
            "temperature 0 is greedy: every name is the same, most likely one; look above 0",
            "温度 0 是贪心解码：每个名字都一样，都是最可能的那个；请在 0 以上找",
        ),
    )
    require(
        temperature > 0,
        say(
            f"a temperature is above 0; {temperature:g} is not",
            f"温度要大于 0；{temperature:g} 不是",
        ),
    )

    def share_at(t: float) -> float:
        names = sample_from_table(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, temperature=t)
        return _new_share(names, data)

    new = share_at(temperature)
    low, high = HALF_NEW
    measured = say(
        f"at temperature {temperature:g}, {new:.1%} of the {NUM_MEASURED} names are new",
        f"温度 {temperature:g} 时，{NUM_MEASURED} 个名字中有 {new:.1%} 是新的",
    )
    if new < low:
        hint = (
            say(
                " (0.5 is the share to aim for; the answer is a temperature)",
                "（0.5 是要达到的比例；答案应当是一个温度）",
            )
            if answer == 0.5
            else ""
        )
        return wrong(
            say(
                f"{measured}: too few; a higher temperature flattens the distribution, and the "
                f"sampler leaves the familiar names more often{hint}",
                f"{measured}：太少了；更高的温度让分布更平坦，生成时更常离开熟悉的名字{hint}",
            )
        )
    if new > high:
        return wrong(
            say(
                f"{measured}: too many; a lower temperature sharpens the distribution towards the "
                "names the model knows well",
                f"{measured}：太多了；更低的温度让分布更尖锐，偏向模型熟悉的名字",
            )
        )
    return correct(
        say(
            f"{measured}, against {share_at(1.0):.1%} at temperature 1, the model's own "
            "distribution",
            f"{measured}，而在温度 1，即模型自身的分布下是 {share_at(1.0):.1%}",
        )
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
        (
            probs,
            say(
                "you returned the distribution unchanged: only the nucleus keeps probability",
                "你原样返回了分布：只有核内的词元保留概率",
            ),
        ),
        (
            kept_where(mass_after <= p),
            say(
                "you left out the token whose probability carries the total past p: keep the "
                "smallest set of most likely tokens whose probabilities add up to at least p",
                "你漏掉了让累计概率越过 p 的那个词元：要保留概率之和至少为 p "
                "的最小一组最可能的词元",
            ),
        ),
        (
            kept_where(one_more),
            say(
                "you kept one token more than needed: stop at the first token at which the "
                "running total reaches p",
                "你多保留了一个词元：在累计和第一次达到 p 的那个词元处停下",
            ),
        ),
        (
            probs * tail,
            say(
                "you kept the least likely tokens; the nucleus is the most likely ones",
                "你保留的是最不可能的词元；核是由最可能的词元组成的",
            ),
        ),
        (
            torch.sort(right, descending=True).values,
            say(
                "you returned the probabilities sorted from most to least likely; return them in "
                "vocabulary order (entry i belongs to token i), or the sampler draws other "
                "characters",
                "你返回的概率是从大到小排好序的；要按字符表的顺序返回（第 i 项属于词元 i），"
                "否则采样器会抽到别的字符",
            ),
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
    require(
        callable(top_p_probs),
        say(
            "`top_p_probs` should be a function of (probs, p)",
            "`top_p_probs` 应当是 (probs, p) 的函数",
        ),
    )
    kept_counts = []
    for index, (probs, p) in enumerate(_top_p_cases()):
        given = probs.clone()
        result = top_p_probs(given, p)
        if result is None:
            if index == 0:
                return not_attempted(
                    say(
                        "Write the body of `top_p_probs` in the cell above",
                        "在上面的单元格里写出 `top_p_probs` 的函数体",
                    )
                )
            return wrong(
                say(f"top_p_probs returned None for p = {p}", f"p = {p} 时 top_p_probs 返回了 None")
            )
        require(
            torch.equal(given, probs),
            say(
                "your function changed `probs` in place; work on a copy (the sampler reuses the "
                "model's distribution for every name)",
                "你的函数原地修改了 `probs`；请在副本上操作"
                "（采样器对每个名字都重复使用模型的分布）",
            ),
        )
        name = f"top_p_probs(probs, {p})"
        got = as_tensor(result, name)
        require(
            got.shape == probs.shape,
            say(
                f"{name} has shape {tuple(got.shape)}; it should be {tuple(probs.shape)}, one "
                "probability per token of the vocabulary",
                f"{name} 的形状是 {tuple(got.shape)}；应当是 {tuple(probs.shape)}，"
                "字符表中每个词元一个概率",
            ),
        )
        expected = nucleus_probs(probs, p)
        if torch.isfinite(got).all() and (got - expected).abs().max() > 1e-6:
            for candidate, why in _top_p_mistakes(probs, p):
                require(
                    (got - candidate).abs().max() > 1e-6,
                    say(f"with p = {p}, {why}", f"p = {p} 时，{why}"),
                )
            kept = probs * (expected > 0)
            total = kept.sum().item()
            require(
                (got - kept).abs().max() > 1e-6,
                say(
                    f"your kept probabilities add up to {total:.3g}, not 1: divide them by their "
                    "sum",
                    f"你保留的概率之和是 {total:.3g}，不是 1：要除以它们的和",
                ),
            )
        require_distribution(got, name)
        different = compare_tensors(got, expected, name)
        require(different is None, different.message if different else "")
        kept_counts.append(int((expected > 0).sum()))
    return correct(
        say(
            f"your nucleus matches on {len(kept_counts)} distributions; it kept {kept_counts[0]} "
            f"of 27 tokens with p = 0.5, {kept_counts[1]} with p = 0.9, and just {kept_counts[2]} "
            "with p = 0.6 of a peaked distribution: its size follows the model's certainty, where "
            "top-k's never changes",
            f"你的核在 {len(kept_counts)} 个分布上都对；p = 0.5 时它保留了 27 个词元中的 "
            f"{kept_counts[0]} 个，p = 0.9 时保留 {kept_counts[1]} 个，而对一个尖峰分布取 p = 0.6 "
            f"时只保留 {kept_counts[2]} 个：核的大小随模型的把握而变，而 top-k 保留的个数从不改变",
        )
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
        return not_attempted(
            say(
                "Write `nucleus_names` and set `p_like_top3` in the cell above",
                "在上面的单元格里写出 `nucleus_names` 并设置 `p_like_top3`",
            )
        )
    require(
        isinstance(probe, list) and len(probe) == 50 and all(isinstance(n, str) for n in probe),
        say(
            "nucleus_names(50, 42, 0.9) should return a list of 50 names (strings), not "
            f"{type(probe).__name__}",
            "nucleus_names(50, 42, 0.9) 应当返回由 50 个名字（字符串）组成的列表，而不是 "
            f"{type(probe).__name__}",
        )
        + (
            say(f" of length {len(probe)}", f"（长度 {len(probe)}）")
            if isinstance(probe, list)
            else ""
        ),
    )
    reference = reference_nucleus_names(table, data.tokenizer, 50, 42, 0.9)
    if probe == reference:
        return None
    if probe == sample_from_table(table, data.tokenizer, 50, seed=42):
        return wrong(
            say(
                "nucleus_names(50, 42, 0.9) draws the names of plain sampling: p changes nothing; "
                "pass each distribution through top_p_probs before drawing",
                "nucleus_names(50, 42, 0.9) 抽出的是普通采样的名字：p 没有起任何作用；"
                "抽样之前要让每个分布先经过 top_p_probs",
            )
        )
    first = next(i for i, (a, b) in enumerate(zip(probe, reference, strict=True)) if a != b)
    return wrong(
        say(
            f"nucleus_names(50, 42, 0.9) differs at name {first + 1}: yours {probe[first]!r}, "
            f"expected {reference[first]!r}; draw as sample_from_table does, with draw_names and "
            "memoised_cdf, each context's distribution top_p_probs of the softmax of its table "
            "row",
            f"nucleus_names(50, 42, 0.9) 在第 {first + 1} 个名字处不同：你的是 {probe[first]!r}，"
            f"应为 {reference[first]!r}；请像 sample_from_table 那样用 draw_names 和 memoised_cdf "
            "抽取，每个上下文的分布是它那一行表项的 softmax 再经过 top_p_probs",
        )
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
    require(
        callable(nucleus_names),
        say(
            "`nucleus_names` should be a function of (num, seed, p)",
            "`nucleus_names` 应当是 (num, seed, p) 的函数",
        ),
    )
    names_differ = _compare_names(nucleus_names, table, data)
    if names_differ is not None:
        return names_differ
    if p_like_top3 is None:
        return not_attempted(
            say("Set `p_like_top3` in the cell above", "在上面的单元格里设置 `p_like_top3`")
        )
    p = as_number(p_like_top3, "`p_like_top3`")
    require(
        0 < p <= 1,
        say(
            f"p is a share of probability, between 0 and 1; {p:g} is not",
            f"p 是概率的一个份额，在 0 和 1 之间；{p:g} 不是",
        ),
    )
    top_k_names = sample_from_table(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, top_k=TOP_K)
    target = _new_share(top_k_names, data)
    kept: list[int] = []
    share = _new_share(
        reference_nucleus_names(table, data.tokenizer, NUM_MEASURED, MEASURE_SEED, p, kept), data
    )
    measured = say(
        f"at p = {p:g}, {share:.1%} of {NUM_MEASURED} names are new; top-k {TOP_K} makes "
        f"{target:.1%}",
        f"p = {p:g} 时，{NUM_MEASURED} 个名字中有 {share:.1%} 是新的；top-k {TOP_K} 得到的是 "
        f"{target:.1%}",
    )
    if abs(share - target) > SAME_SHARE:
        if share < target:
            return wrong(
                say(
                    f"{measured}: raise p, a larger nucleus invents more names",
                    f"{measured}：请调高 p，核越大，编出的新名字越多",
                )
            )
        return wrong(
            say(
                f"{measured}: lower p, a smaller nucleus keeps closer to the known names",
                f"{measured}：请调低 p，核越小，越贴近已知的名字",
            )
        )
    return correct(
        say(
            f"{measured}. Top-k keeps {TOP_K} characters at every step; your nucleus kept from "
            f"{min(kept)} to {max(kept)}, {sum(kept) / len(kept):.1f} on average: few where the "
            "model is sure, many where it is not",
            f"{measured}。top-k 每一步都保留 {TOP_K} 个字符；你的核保留了 {min(kept)} 到 "
            f"{max(kept)} 个，平均 {sum(kept) / len(kept):.1f} 个：模型有把握的地方少，"
            "没把握的地方多",
        )
    )


# -----------------------------------------------------------------------------
# Exercise 4.5 · A context where the first character matters most


def probe_means(table: LogitTable, contexts: torch.Tensor) -> torch.Tensor:
    """(N, T): each context's (a row of token ids) mean ``context_probe`` distance per position.

    The same measurement as ``context_probe(model, tokenizer, context).mean(dim=1)``, read from the
    table instead of running the model: replacing position t by token v moves the context's row
    number by (v - old token) * V**(T-1-t), so every variant is a row lookup.
    """
    probs = torch.softmax(table.logits.float(), dim=1)
    places = torch.tensor(table.place_values)
    rows = (contexts * places).sum(dim=1)
    own = probs[rows][:, None, :]  # (N, 1, V)
    means = []
    for t, place in enumerate(table.place_values):
        variants = (rows - contexts[:, t] * place)[:, None] + torch.arange(table.vocab_size) * place
        means.append((0.5 * (probs[variants] - own).abs().sum(dim=2)).mean(dim=1))
    return torch.stack(means, dim=1)


_stream_contexts: dict[int, tuple[NamesData, torch.Tensor, torch.Tensor]] = {}


def stream_contexts(data: NamesData, context_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The distinct contexts of the training stream's windows and how often each occurs."""
    key = id(data)
    if key not in _stream_contexts or _stream_contexts[key][0] is not data:
        tokens = torch.tensor(data.tokens["train"])
        windows = tokens.unfold(0, context_length, 1)[:-1]  # each window has a next token
        _stream_contexts[key] = (data, *torch.unique(windows, dim=0, return_counts=True))
    return _stream_contexts[key][1], _stream_contexts[key][2]


def winning_shares(table: LogitTable, data: NamesData) -> list[float]:
    """The share of the training stream's windows in which each position wins the probe."""
    contexts, counts = stream_contexts(data, table.context_length)
    winners = probe_means(table, contexts).argmax(dim=1)
    shares = torch.bincount(winners, weights=counts.double(), minlength=table.context_length)
    return (shares / counts.sum()).tolist()


def _as_context(answer: object, tokenizer: Tokenizer, context_length: int) -> list[int]:
    """The learner's context as token ids ('.' for the end token), or a "not yet" saying why not."""
    require(
        isinstance(answer, str),
        say(
            f"first_matters_most should be a string like 'emm', not {type(answer).__name__}",
            f"first_matters_most 应当是像 'emm' 这样的字符串，而不是 {type(answer).__name__}",
        ),
    )
    require(
        len(answer) == context_length,
        say(
            f"{answer!r} has {len(answer)} characters; the model reads {context_length}",
            f"{answer!r} 有 {len(answer)} 个字符；模型读的是 {context_length} 个",
        ),
    )
    try:
        return tokenizer.encode(answer.replace(END_GLYPH, END))
    except ValueError as err:
        raise Rejected(wrong(str(err))) from None


@checked
def check_first_matters_most(
    first_matters_most: object, table: LogitTable, data: NamesData
) -> Feedback:
    """Exercise 4.5: a context of the training names whose first position wins the probe.

    The probe is ``context_probe``'s mean distance per position, read from the table
    (``probe_means``); the context must occur in the training stream. A correct answer also
    earns the share of the stream's windows each position wins, to set against the prediction.
    """
    if first_matters_most is None:
        return not_attempted(
            say(
                "Set `first_matters_most` in the cell above",
                "在上面的单元格里设置 `first_matters_most`",
            )
        )
    context = _as_context(first_matters_most, data.tokenizer, table.context_length)
    shown_context = data.tokenizer.decode(context).replace(END, END_GLYPH)
    contexts, counts = stream_contexts(data, table.context_length)
    found = (contexts == torch.tensor(context)).all(dim=1)
    times = int(counts[found].sum())
    require(
        times > 0,
        say(
            f"{shown_context!r} never occurs in the training names, so the model never learned "
            "what follows it: choose a context from data.tokens['train']",
            f"{shown_context!r} 在训练集的名字里从未出现，模型从没学过它后面跟什么："
            "请从 data.tokens['train'] 里选一个上下文",
        ),
    )
    means = probe_means(table, torch.tensor([context]))[0].tolist()
    numbers = ", ".join(f"{m:.2f}" for m in means)
    winner = max(range(len(means)), key=means.__getitem__)
    require(
        winner != len(means) - 1,
        say(
            f"in {shown_context!r} the last position moves the prediction most (mean distances "
            f"{numbers}), as in most contexts: look for one where the first number is the largest",
            f"在 {shown_context!r} 里，最后一个位置对预测的影响最大（平均距离 {numbers}），"
            "大多数上下文都是这样：请找一个第一个数最大的上下文",
        ),
    )
    require(
        winner == 0,
        say(
            f"in {shown_context!r} the middle position wins (mean distances {numbers}), not the "
            "first: close, keep looking",
            f"在 {shown_context!r} 里胜出的是中间的位置（平均距离 {numbers}），不是第一个："
            "很接近了，继续找",
        ),
    )
    shares = ", ".join(f"{share:.1%}" for share in winning_shares(table, data))
    return correct(
        say(
            f"{shown_context!r} (it occurs {times:,d} times in the training names): mean "
            f"distances {numbers}, the first position wins. Over all windows of the training "
            f"names, positions 1, 2 and 3 win {shares}: compare that with your prediction",
            f"{shown_context!r}（在训练集的名字里出现 {times:,d} 次）：平均距离 {numbers}，"
            f"第一个位置胜出。在训练集名字的所有窗口中，位置 1、2、3 胜出的比例是 {shares}："
            "和你的预测比一比",
        )
    )
