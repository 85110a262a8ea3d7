"""The checks of notebook 05's exercises (each returns a feedback.Feedback, never raises).

Notebook 05 (beyond the lesson: one fair results table) has five exercises, from a quick check to
a small project:

- 5.1 Predict, then measure: the finder from three seeds: the two readings of the notebook's
  learning-rate finder (steepest fall, lowest loss) for the lesson's model from seeds 1337, 1338
  and 1339, checked against sweeps run here (``check_finder_seeds``).
- 5.2 Predict, then measure: which steps survive the seed rule? ``is_real_gain(new, old)``,
  the rule of the notebook as a function, on made-up pairs of seeds and then on every one-change
  step between the table's MLP rows (``check_is_real_gain``).
- 5.3 A Kneser-Ney discount by hand, one level down: the discounts of the 4-gram model's 3-gram
  level, from continuation counts (``check_continuation_discounts``).
- 5.4 One round of expectation-maximisation: ``em_step(weights, probs)`` against
  ``mixture.mixture_weights`` (``check_em_step``).
- 5.5 Beat the 2,000-step row, over three seeds: three runs of a context-3 configuration of at
  most 2,000 steps, their val losses measured here and compared with the lesson row
  ``mlp-lesson-2k`` over its three seeds in ``results/`` (``check_beat_the_2k_row``).

Every reference answer is computed here from package code (``ModelConfig``, ``modified_discounts``,
``mixture_weights``, ``split_loss``, the results tables), and every typical wrong answer is
recognised by computing it too, so that the sentence names the mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import torch

from ngram_helpers.data import NamesData
from ngram_helpers.evaluate import split_loss
from ngram_helpers.exercises.feedback import (
    Feedback,
    Rejected,
    as_number,
    as_tensor,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    numbers_close,
    raised_by_learner,
    require,
    require_distribution,
    tensors_close,
    wrong,
)
from ngram_helpers.experiments import RowResult, build_row_model, get_row, variant
from ngram_helpers.files import PROJECT
from ngram_helpers.language import say
from ngram_helpers.lr_finder import lr_range_test
from ngram_helpers.mixture import mixture_loss, mixture_weights
from ngram_helpers.models import MLP
from ngram_helpers.ngrams import context_ids, modified_discounts
from ngram_helpers.seed_spread import Spread, beyond_spread, read_spreads

# ---------------------------------------------------------------------------------------------
# Exercise 5.1 · Predict, then measure: the finder from three seeds

SMOOTH_KEEP = 0.9  # the notebook's ``smooth``: an exponential moving average keeping 0.9
SLOPE_SPAN = 10  # the notebook's steepest fall: the smoothed loss's drop over 10 steps
FINDER_SEEDS = (1337, 1338, 1339)


def smoothed(values: list[float], keep: float = SMOOTH_KEEP) -> list[float]:
    """The exponential moving average of the notebook's ``smooth``, started at the first value."""
    out, average = [], values[0]
    for value in values:
        average = keep * average + (1 - keep) * value
        out.append(average)
    return out


def _lowest(values: list[float]) -> int:
    return min(range(len(values)), key=values.__getitem__)


def finder_readings(lrs: list[float], losses: list[float]) -> tuple[float, float]:
    """The notebook's two readings of a sweep: (rate of steepest fall, rate of lowest loss).

    Both are read off the smoothed loss, as the notebook's cell does: the steepest fall is the
    middle of the 10-step window whose smoothed loss drops most.
    """
    smooth = smoothed(losses)
    drops = [smooth[i + SLOPE_SPAN] - smooth[i] for i in range(len(smooth) - SLOPE_SPAN)]
    return lrs[_lowest(drops) + SLOPE_SPAN // 2], lrs[_lowest(smooth)]


_sweeps: dict[tuple, tuple[NamesData, dict[int, list[float]]]] = {}


def seed_sweeps(lrs: list[float], data: NamesData) -> dict[int, list[float]]:
    """The finder's losses for the lesson's row from each of ``FINDER_SEEDS`` (kept per data)."""
    key = (id(data), tuple(lrs))
    if key not in _sweeps or _sweeps[key][0] is not data:
        lesson = get_row("mlp-lesson")
        sweeps = {
            seed: lr_range_test(
                build_row_model(variant("seed", lesson, init_seed=seed), data), data, lrs
            )
            for seed in FINDER_SEEDS
        }
        _sweeps[key] = (data, sweeps)
    return _sweeps[key][1]


def _reading_mistake(got: tuple[float, float], lrs: list[float], losses: list[float]) -> str:
    """Why one seed's pair differs from the notebook's readings, as far as it can be told."""
    steepest, lowest = finder_readings(lrs, losses)
    if numbers_close(got[0], lowest) and numbers_close(got[1], steepest):
        return say(
            "the two readings are swapped: (steepest fall, lowest loss)",
            "两个读数的顺序反了：应当是（下降最快处，损失最低处）",
        )
    if numbers_close(got[1], lrs[_lowest(losses)]):
        return say(
            "the lowest point is the raw batch losses' minimum: smooth them first, as the "
            "notebook's cell does",
            "最低点取的是未平滑的批量损失的最小值：要先像笔记本里那样平滑",
        )
    if max(got) > lrs[-1] or min(got) < lrs[0]:
        return say(
            "these are not rates of the sweep (losses, perhaps?): read the rate at each point",
            "这些不是扫描里的学习率（也许是损失？）：要读出每个点对应的学习率",
        )
    return say(
        "not the notebook's readings of that seed's sweep",
        "不是笔记本对这个种子的扫描所做的读数",
    )


@checked
def check_finder_seeds(readings: object, lrs: list[float], data: NamesData) -> Feedback:
    """Exercise 5.1: each seed's (steepest fall, lowest loss) rates, against sweeps run here.

    ``readings`` maps each of ``FINDER_SEEDS`` to a pair of rates. A pair that is the seed-1337
    sweep's again (a model built without the seed), swapped, read from unsmoothed losses or not
    a rate at all is named.
    """
    if readings is None:
        return not_attempted(
            say("Fill in `readings` in the cell above", "在上面的单元格里填好 `readings`")
        )
    require(
        isinstance(readings, dict) and set(readings) == set(FINDER_SEEDS),
        say(
            "`readings` should be a dict with the keys 1337, 1338 and 1339 (the seeds)",
            "`readings` 应当是以 1337、1338、1339（种子）为键的字典",
        ),
    )
    sweeps, answers = seed_sweeps(list(lrs), data), {}
    for seed in FINDER_SEEDS:
        pair = readings[seed]
        require(
            isinstance(pair, tuple | list) and len(pair) == 2,
            say(
                f"readings[{seed}] should be a pair (steepest fall, lowest loss)",
                f"readings[{seed}] 应当是一对（下降最快处，损失最低处）",
            ),
        )
        name = say(f"a rate of readings[{seed}]", f"readings[{seed}] 中的学习率")
        answers[seed] = (as_number(pair[0], name), as_number(pair[1], name))
    expected = {seed: finder_readings(list(lrs), losses) for seed, losses in sweeps.items()}
    first = expected[FINDER_SEEDS[0]]
    for seed in FINDER_SEEDS:
        got = answers[seed]
        if all(numbers_close(a, b, rel=1e-6) for a, b in zip(got, expected[seed], strict=True)):
            continue
        if seed != FINDER_SEEDS[0] and all(map(numbers_close, got, first)):
            return wrong(
                say(
                    f"seed {seed} gives seed 1337's readings: build its model from "
                    f"variant('seed', lesson, init_seed={seed})",
                    f"种子 {seed} 给出的是种子 1337 的读数：要用 "
                    f"variant('seed', lesson, init_seed={seed}) 构建它的模型",
                )
            )
        mistake = _reading_mistake(got, list(lrs), sweeps[seed])
        return wrong(say(f"seed {seed}: {mistake}", f"种子 {seed}：{mistake}"))
    steep = [expected[seed][0] for seed in FINDER_SEEDS]
    low = [expected[seed][1] for seed in FINDER_SEEDS]
    return correct(
        say(
            f"the lowest point lands at {', '.join(f'{r:.2e}' for r in low)} (the largest "
            f"{max(low) / min(low):.2f} times the smallest), the steepest fall at "
            f"{', '.join(f'{r:.2e}' for r in steep)} ({max(steep) / min(steep):.2f} times): "
            "compare with your prediction. A reading that moves with the seed is not a finding",
            f"最低点落在 {', '.join(f'{r:.2e}' for r in low)}（最大和最小相差 "
            f"{max(low) / min(low):.2f} 倍），下降最快处落在 {', '.join(f'{r:.2e}' for r in steep)}"
            f"（相差 {max(steep) / min(steep):.2f} 倍）：和你的预测比一比。"
            "随种子变动的读数算不上发现",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 5.2 · Predict, then measure: which steps survive the seed rule?

Losses = dict[int, float]  # seed -> val loss, as in ``Spread.losses``


def _mean(losses: Losses) -> float:
    return sum(losses.values()) / len(losses)


def _range(losses: Losses) -> float:
    return max(losses.values()) - min(losses.values())


def real_gain(new: Losses, old: Losses) -> bool:
    """The rule of the notebook, as a gain: ``new``'s mean lower by more than the larger range."""
    return _mean(old) - _mean(new) > max(_range(new), _range(old))


def _gain_mistakes() -> list[tuple[Callable[[Losses, Losses], bool], str]]:
    """Each typical wrong rule, as a function of (new, old), and what went wrong."""
    return [
        (
            lambda new, old: _mean(old) - _mean(new) > min(_range(new), _range(old)),
            say(
                "you compared the gain with the smaller of the two ranges; the rule takes the "
                "larger, since either row's seeds could have landed anywhere in its own range",
                "你拿提升与两个极差中较小的那个比较；规则取较大的那个，"
                "因为任一行的种子都可能落在它自己极差内的任何位置",
            ),
        ),
        (
            lambda new, old: _mean(old) - _mean(new) > _range(new) + _range(old),
            say(
                "you compared the gain with the two ranges added together; the rule takes the "
                "larger one",
                "你拿提升与两个极差之和比较；规则取其中较大的那个",
            ),
        ),
        (
            lambda new, old: abs(_mean(old) - _mean(new)) > max(_range(new), _range(old)),
            say(
                "your function also calls a change that makes the loss *higher* a gain: a gain "
                "means a lower mean val loss",
                "你的函数把让损失*升高*的改动也算作提升：提升指的是平均验证损失更低",
            ),
        ),
        (
            lambda new, old: _mean(new) - _mean(old) > max(_range(new), _range(old)),
            say(
                "the direction is reversed: a lower loss is better, so a gain is a *lower* mean "
                "for `new`",
                "方向反了：损失越低越好，所以提升是 `new` 的平均值*更低*",
            ),
        ),
        (
            lambda new, old: _mean(new) < _mean(old),
            say(
                "any lower mean counts as a gain in your function: compare the gain with the "
                "spread, the larger of the two rows' ranges",
                "在你的函数里，任何更低的平均值都算提升：要拿提升与波动，即两行极差中较大的那个，"
                "作比较",
            ),
        ),
        (
            lambda new, old: new[1337] < old[1337],
            say(
                "you compared one seed (1337) of each row: that is one sample of each, the very "
                "thing the rule is there to avoid; compare the means over all the seeds",
                "你只比较了每行的一个种子（1337）：那是每行只取一个样本，正是这条规则要避免的；"
                "要比较所有种子上的平均值",
            ),
        ),
        (
            lambda new, old: _mean(old) - _mean(new) > max(_range(new), _range(old)) / 2,
            say(
                "you compared the gain with half a range; the rule takes a whole range, the "
                "larger one",
                "你拿提升与半个极差比较；规则取的是整个极差，而且是较大的那个",
            ),
        ),
    ]


def made_up_pairs() -> dict[str, tuple[Losses, Losses]]:
    """Pairs (new, old) over seeds 1337-1339 that tell the rule from each mistake above."""

    def seeds(a: float, b: float, c: float) -> Losses:
        return {1337: a, 1338: b, 1339: c}

    return {
        say("a clear gain", "明显的提升"): (seeds(1.95, 1.96, 1.97), seeds(2.00, 2.01, 2.02)),
        say("a gain within the spread", "在波动之内的提升"): (
            seeds(1.99, 2.00, 2.01),
            seeds(2.00, 2.01, 2.02),
        ),
        say("a gain between the smaller and the larger range", "介于较小与较大极差之间的提升"): (
            seeds(1.97, 1.975, 1.98),
            seeds(1.98, 2.00, 2.02),
        ),
        say(
            "a gain between the larger range and the sum of both",
            "介于较大极差与两极差之和之间的提升",
        ): (
            seeds(1.97, 1.98, 1.99),
            seeds(2.00, 2.01, 2.02),
        ),
        say("a clear loss", "明显的变差"): (seeds(2.00, 2.01, 2.02), seeds(1.95, 1.96, 1.97)),
        say("a lucky seed 1337", "幸运的种子 1337"): (
            seeds(2.00, 2.015, 2.02),
            seeds(2.02, 2.00, 2.01),
        ),
        say(
            "a gain above half the larger range, below the smaller",
            "高于较大极差的一半、低于较小极差的提升",
        ): (
            seeds(1.96, 1.975, 1.99),
            seeds(1.98, 2.00, 2.02),
        ),
        say(
            "a gain between half the larger range and all of it",
            "介于较大极差的一半与全部之间的提升",
        ): (
            seeds(1.99, 1.995, 2.00),
            seeds(2.00, 2.01, 2.02),
        ),
    }


def table_steps(spreads: dict[str, Spread]) -> list[tuple[str, str]]:
    """(row, parent) for every MLP row of the table whose row and parent have several seeds."""
    steps = []
    for name, spread in spreads.items():
        parent = get_row(name).parent if name.startswith("mlp") else None
        if parent is not None and len(spread.losses) > 1 and len(spreads[parent.name].losses) > 1:
            steps.append((name, parent.name))
    return steps


def _verdict_of(is_real_gain: Callable, new: Losses, old: Losses, where: str) -> bool:
    """The learner's verdict on one pair, required to be True or False."""
    got = is_real_gain(dict(new), dict(old))
    if got is None:
        raise Rejected(
            not_attempted(
                say(
                    "Write the body of `is_real_gain` in the cell above",
                    "在上面的单元格里写出 `is_real_gain` 的函数体",
                )
            )
        )
    if isinstance(got, torch.Tensor) and got.numel() == 1 and got.dtype == torch.bool:
        got = bool(got.item())
    require(
        isinstance(got, bool) or type(got).__name__ == "bool_",
        say(
            f"on {where} `is_real_gain` returned {type(got).__name__} {got!r}: return True or "
            "False",
            f"在{where}上，`is_real_gain` 返回了 {type(got).__name__} {got!r}：应返回 True 或 "
            "False",
        ),
    )
    return bool(got)


@checked
def check_is_real_gain(is_real_gain: object, spreads: dict[str, Spread]) -> Feedback:
    """Exercise 5.2: the seed rule as a function, on made-up pairs, then on the table's steps.

    ``spreads`` is the notebook's ``val_spreads``. Once the function passes, the feedback
    measures what the learner predicted: how many one-change steps between MLP rows the rule
    accepts as gains, and how many seed 1337 alone would have called gains.
    """
    if is_real_gain is None:
        return not_attempted(
            say(
                "Write the body of `is_real_gain` in the cell above",
                "在上面的单元格里写出 `is_real_gain` 的函数体",
            )
        )
    require(
        callable(is_real_gain),
        say(
            "`is_real_gain` should be a function of new, old",
            "`is_real_gain` 应当是 new、old 的函数",
        ),
    )
    pairs = made_up_pairs()
    got = {label: _verdict_of(is_real_gain, *pair, label) for label, pair in pairs.items()}
    right = {label: real_gain(*pair) for label, pair in pairs.items()}
    if got != right:
        for mistake, message in _gain_mistakes():
            if got == {label: mistake(*pair) for label, pair in pairs.items()}:
                return wrong(message)
        label = next(label for label in pairs if got[label] != right[label])
        return wrong(
            say(
                f"on {label} your function says {got[label]}, the rule {right[label]}: a gain is a "
                "mean val loss lower by more than the larger of the two rows' ranges",
                f"在{label}上，你的函数说 {got[label]}，规则说 {right[label]}："
                "提升是指平均验证损失降低的幅度超过两行极差中较大的那个",
            )
        )
    steps = table_steps(spreads)
    accepted, by_one_seed = [], []
    for name, parent in steps:
        new, old = spreads[name].losses, spreads[parent].losses
        verdict = _verdict_of(
            is_real_gain, new, old, say(f"{name} against {parent}", f" {name} 对比 {parent} ")
        )
        require(
            verdict == real_gain(new, old),
            say(
                f"on {name} against {parent} your function says {verdict}: check it on those "
                "losses",
                f"在 {name} 对比 {parent} 上，你的函数说 {verdict}：请用这两行的损失检查它",
            ),
        )
        accepted += [name] if verdict else []
        by_one_seed += [name] if new[1337] < old[1337] else []
    lucky = [name for name in by_one_seed if name not in accepted]
    return correct(
        say(
            f"of the table's {len(steps)} one-change steps between MLP rows, the rule accepts "
            f"{len(accepted)} as gains; seed 1337 alone shows a lower loss for {len(by_one_seed)}, "
            f"so {len(lucky)} of its 'gains' are within the luck of the start: {', '.join(lucky)}. "
            "Compare with your prediction",
            f"表中 MLP 行之间只改一处的 {len(steps)} 步里，规则认可 {len(accepted)} 步为提升；"
            f"只看种子 1337，有 {len(by_one_seed)} 步损失更低，所以其中 {len(lucky)} "
            f"个“提升”在起点运气的范围之内：{', '.join(lucky)}。和你的预测比一比",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 5.3 · A Kneser-Ney discount by hand, one level down


def level_discounts(contexts: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
    """D1, D2, D3+ of the counts one might take for the 3-gram level of a 4-gram model.

    ``contexts`` (N, 3) and ``targets`` (N,) are the padded training examples of order 4. Every
    4-gram is read as one integer in base ``base`` (above every token id): ``id % base**3`` is
    its last three characters and ``id // base`` its context. "continuation" is the right answer
    (what ``KneserNey`` counts for that level); the others are the typical wrong ones.
    """
    base = int(max(contexts.max(), targets.max())) + 1
    ids = context_ids(torch.cat([contexts, targets[:, None]], dim=1), base)
    distinct = torch.unique(ids)
    cube = base**3

    def counts_of(keys: torch.Tensor) -> torch.Tensor:
        return torch.unique(keys, return_counts=True)[1]

    counts = {
        "continuation": counts_of(distinct % cube),  # distinct left neighbours of each 3-gram
        "raw 3-gram": counts_of(ids % cube),
        "4-gram": counts_of(ids),
        "following": counts_of(distinct // base),  # distinct next characters of each context
        "2-gram level": counts_of(torch.unique(distinct % cube) % base**2),
    }
    return {name: modified_discounts(c.double())[1:] for name, c in counts.items()}


def _discount_mistakes() -> dict[str, str]:
    """What each wrong level's discounts are, by the name ``level_discounts`` gives them."""
    return {
        "raw 3-gram": say(
            "those are the discounts of the raw 3-gram counts (how often each 3-gram occurs); "
            "this level counts, for each 3-gram, how many different characters come before it",
            "这是原始 3 元语法计数（每个 3 元语法出现多少次）的折扣；这一层数的是每个 3 "
            "元语法前面出现过多少种不同的字符",
        ),
        "4-gram": say(
            "those are the discounts of the 4-gram level, the cell above: this exercise is the "
            "level below it",
            "这是 4 元语法那一层（上面的单元格）的折扣：这个练习是它下面的一层",
        ),
        "following": say(
            "you counted the different characters that come *after* each 3-character context; "
            "continuation counts count the different characters *before* each 3-gram",
            "你数的是每个 3 字符上下文*之后*出现的不同字符；接续计数数的是每个 3 "
            "元语法*之前*的不同字符",
        ),
        "2-gram level": say(
            "those are the discounts of the level below this one (2-grams); stop one level "
            "higher, at 3-grams",
            "这是下面一层（2 元语法）的折扣；要停在高一层的 3 元语法",
        ),
    }


@checked
def check_continuation_discounts(
    continuation_discounts: object, contexts4: torch.Tensor, targets4: torch.Tensor
) -> Feedback:
    """Exercise 5.3: D1, D2, D3+ of the 3-gram level of the Kneser-Ney 4-gram model.

    ``contexts4`` and ``targets4`` are the notebook's padded order-4 training examples; the
    reference equals ``fit_kneser_ney(data, 4).discounts[3][1:]`` (the tests check that).
    """
    if continuation_discounts is None:
        return not_attempted(
            say(
                "Fill in `continuation_discounts` in the cell above",
                "在上面的单元格里填好 `continuation_discounts`",
            )
        )
    got = as_tensor(continuation_discounts, "`continuation_discounts`").flatten()
    options = level_discounts(contexts4, targets4)
    expected = options["continuation"]
    require(
        bool(torch.isfinite(got).all()),
        say(
            "`continuation_discounts` contains inf or nan",
            "`continuation_discounts` 含有 inf 或 nan",
        ),
    )
    if got.shape == (4,) and abs(got[0]) < 1e-12:
        require(
            not tensors_close(got[1:], expected, atol=1e-6),
            say(
                "drop the first number, D(0) = 0 (nothing is taken off a count of 0): give D1, "
                "D2, D3+",
                "去掉第一个数 D(0) = 0（计数为 0 时不扣除任何东西）：给出 D1、D2、D3+",
            ),
        )
    require(
        got.shape == (3,),
        say(
            f"give three numbers, D1, D2 and D3+, not {got.numel()}",
            f"给出三个数 D1、D2 和 D3+，而不是 {got.numel()} 个",
        ),
    )
    for name, message in _discount_mistakes().items():
        require(not tensors_close(got, options[name], atol=1e-6), message)
    off = [
        name
        for name, a, b in zip(("D1", "D2", "D3+"), got, expected, strict=True)
        if abs(a - b) > 1e-6
    ]
    require(
        not off,
        say(
            f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} not right: count, for each "
            "3-gram, the different characters that come before it, then how many 3-grams have 1, "
            "2, 3 and 4 of them, and apply the formula of the cell above",
            f"{', '.join(off)} 不对：先数出每个 3 元语法前面有多少种不同的字符，再数有多少个 3 "
            "元语法分别有 1、2、3 和 4 种，然后套用上面单元格里的公式",
        ),
    )
    d1, d2, d3 = expected.tolist()
    raw = options["raw 3-gram"][1].item()
    return correct(
        say(
            f"D1, D2, D3+ = {d1:.3f}, {d2:.3f}, {d3:.3f}, the discounts the packaged model uses "
            f"for this level. D2 is below the raw 3-gram counts' {raw:.3f}: continuation counts "
            "are another kind of number, and their discounts come from their own count-of-counts",
            f"D1, D2, D3+ = {d1:.3f}, {d2:.3f}, {d3:.3f}，正是本包的模型在这一层用的折扣。D2 "
            f"低于原始 3 元语法计数的 {raw:.3f}：接续计数是另一种数，"
            "它们的折扣来自它们自己的计数的计数",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 5.4 · One round of expectation-maximisation


def made_up_probs(num_models: int = 3, num_targets: int = 64) -> torch.Tensor:
    """(K, N) probabilities of the targets under K made-up models, the same on every call."""
    generator = torch.Generator().manual_seed(5)
    uniform = torch.rand(num_models, num_targets, generator=generator, dtype=torch.float64)
    return 0.05 + 0.9 * uniform  # kept away from 0 and 1


def _step(
    em_step: Callable, weights: torch.Tensor, probs: torch.Tensor, where: str
) -> torch.Tensor:
    """The weights ``em_step`` returns, checked to be weights; a "not yet" saying how they are not.

    The step runs on copies, so that a step that changes its inputs cannot spoil the next test.
    """
    got = em_step(weights.clone(), probs.clone())
    require(
        got is not None, say(f"em_step({where}) returned None", f"em_step({where}) 返回了 None")
    )
    got = as_tensor(got, f"em_step({where})")
    k, n = probs.shape
    require(
        got.shape != (k, n),
        say(
            f"em_step({where}) returned a ({k}, {n}) tensor: each target's shares; average them "
            "over the targets to get one weight per model",
            f"em_step({where}) 返回了一个 ({k}, {n}) 的张量：那是每个目标的份额；要在目标上取平均，"
            "每个模型得到一个权重",
        ),
    )
    require(
        got.shape == (k,),
        say(
            f"em_step({where}) has shape {tuple(got.shape)}; it should be ({k},)",
            f"em_step({where}) 的形状是 {tuple(got.shape)}；应当是 ({k},)",
        ),
    )
    total = got.sum().item()
    require(
        not numbers_close(total, float(n), rel=1e-6),
        say(
            f"em_step({where}) sums to {total:.6g}, the number of targets: you added the shares, "
            "average them instead (each weight is its model's mean share)",
            f"em_step({where}) 的和是 {total:.6g}，即目标的个数：你把份额加了起来，"
            "应当取平均（每个权重是它的模型的平均份额）",
        ),
    )
    shares = weights[:, None] * probs
    over_targets = (shares / shares.sum(dim=1, keepdim=True)).mean(dim=1)
    require(
        not tensors_close(got, over_targets, atol=1e-9),
        say(
            f"em_step({where}) normalised each model's shares over the targets; each target is "
            "shared among the models, so its shares sum to 1 over the models (dim 0)",
            f"em_step({where}) 把每个模型的份额在目标上做了归一化；每个目标是在各模型之间分配的，"
            "所以它的份额在模型上（dim 0）加起来是 1",
        ),
    )
    return require_distribution(got, f"em_step({where})")


@checked
def check_em_step(em_step: object, probs: torch.Tensor) -> Feedback:
    """Exercise 5.4: one EM round, from equal and from unequal weights, and for three models.

    ``probs`` is the notebook's ``parts["val"]`` (the MLP and the Kneser-Ney 4-gram on val).
    The reference is ``mixture_weights(probs, iterations=r)``, which starts from equal weights:
    one round after ``r - 1`` rounds is round ``r``.
    """
    if em_step is None:
        return not_attempted(
            say(
                "Write the body of `em_step` in the cell above",
                "在上面的单元格里写出 `em_step` 的函数体",
            )
        )
    require(
        callable(em_step),
        say(
            "`em_step` should be a function of (weights, probs)",
            "`em_step` 应当是 (weights, probs) 的函数",
        ),
    )
    probs = torch.as_tensor(probs, dtype=torch.float64)
    k = probs.shape[0]
    equal = torch.full((k,), 1 / k, dtype=torch.float64)
    if em_step(equal.clone(), probs.clone()) is None:
        return not_attempted(
            say(
                "Write the body of `em_step` in the cell above",
                "在上面的单元格里写出 `em_step` 的函数体",
            )
        )
    first = _step(em_step, equal, probs, say("equal weights, probs", "相等的权重, probs"))
    problem = compare_tensors(
        first, mixture_weights(probs, iterations=1), say("one round", "一轮"), atol=1e-9
    )
    if problem is not None:
        return problem
    after_one = mixture_weights(probs, iterations=1)
    second = _step(em_step, after_one, probs, say("unequal weights, probs", "不等的权重, probs"))
    expected = mixture_weights(probs, iterations=2)
    if not tensors_close(second, expected, atol=1e-9):
        require(
            not tensors_close(second, first, atol=1e-9),
            say(
                "from equal weights your round is right, but from unequal ones it gives the same "
                "answer again: it ignores the current weights (with equal weights they cancel). "
                "Model k's share of a target is w_k·P_k / Σ_j w_j·P_j",
                "从相等的权重出发，你的一轮是对的，但从不等的权重出发它又给出同样的答案："
                "它忽略了当前的权重（权重相等时它们会相互抵消）。模型 k 在一个目标上的份额是 "
                "w_k·P_k / Σ_j w_j·P_j",
            ),
        )
        return compare_tensors(
            second,
            expected,
            say("the round from unequal weights", "从不等权重出发的一轮"),
            atol=1e-9,
        )
    three = made_up_probs()
    try:
        got = _step(
            em_step,
            torch.full((3,), 1 / 3, dtype=torch.float64),
            three,
            say("3 models", "3 个模型"),
        )
        problem = compare_tensors(
            got, mixture_weights(three, iterations=1), say("the result", "结果")
        )
    except Rejected as stop:
        problem = stop.feedback
    except Exception as err:
        if not raised_by_learner(err):
            raise  # the check's own bug, not the learner's: ``checked`` reports it as one
        problem = wrong(
            say(f"it raised {type(err).__name__}: {err}", f"它抛出了 {type(err).__name__}：{err}")
        )  # on three models, say so
    if problem is not None:
        return wrong(
            say(
                f"right for two models, not for three ({problem.message}): write it for any number "
                "of models K, a sum over the models and a mean over the targets",
                f"对两个模型是对的，对三个则不对（{problem.message}）："
                "要对任意个数 K 的模型都成立，在模型上求和，在目标上取平均",
            )
        )
    losses = [mixture_loss(w, probs) for w in (equal, first, mixture_weights(probs))]
    return correct(
        say(
            f"one round moves the MLP's weight from {equal[0]:.2f} to {first[0]:.4f} and the val "
            f"loss from {losses[0]:.4f} to {losses[1]:.4f}; repeated, the rounds reach "
            f"{mixture_weights(probs)[0]:.4f} (val {losses[2]:.4f}), and no round makes it worse",
            f"一轮把 MLP 的权重从 {equal[0]:.2f} 变为 {first[0]:.4f}，验证损失从 {losses[0]:.4f} "
            f"变为 {losses[1]:.4f}；反复迭代，最后到达 {mixture_weights(probs)[0]:.4f}（验证损失 "
            f"{losses[2]:.4f}），而且没有哪一轮让它变差",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 5.5 · Beat the 2,000-step row, over three seeds

LESSON_ROW = "mlp-lesson-2k"
NUM_SEEDS = 3  # the table's own seed, 1337, and results/names-seed1338.csv, -seed1339.csv


def lesson_val_losses() -> dict[int, float]:
    """The val loss of ``LESSON_ROW`` by seed, over every table of this project's split."""
    spreads = read_spreads(PROJECT / "results", "names")
    return spreads[LESSON_ROW].losses if LESSON_ROW in spreads else {}


def spread_verdict(yours: list[float], lesson: list[float]) -> Feedback:
    """A win only if the mean val loss is lower by more than the larger seed-to-seed range.

    A range is the highest minus the lowest val loss over one configuration's seeds: how far
    the initial weights alone move the result. A smaller gain could be the seeds' doing.
    """
    mine, theirs = Spread(dict(enumerate(yours))), Spread(dict(enumerate(lesson)))
    gain, spread = theirs.mean - mine.mean, max(mine.range, theirs.range)
    shown = ", ".join(f"{loss:.4f}" for loss in yours)
    if gain <= 0:
        return wrong(
            say(
                f"not better: your mean val loss {mine.mean:.4f} ({shown}) is not below the lesson "
                f"row's {theirs.mean:.4f}; look at the table's levers that help short runs",
                f"没有更好：你的平均验证损失 {mine.mean:.4f}（{shown}）不低于原课程那一行的 "
                f"{theirs.mean:.4f}；看看表里哪些改动对短训练有帮助",
            )
        )
    if not beyond_spread(mine, theirs):
        return wrong(
            say(
                f"better but within the spread: your mean val loss {mine.mean:.4f} ({shown}) is "
                f"{gain:.4f} below the lesson row's {theirs.mean:.4f}, but the seeds alone move it "
                f"by up to {spread:.4f}; look for a larger gain",
                f"更好，但在波动之内：你的平均验证损失 {mine.mean:.4f}（{shown}）比原课程那一行的 "
                f"{theirs.mean:.4f} 低 {gain:.4f}，但单是种子就能让它变动多达 {spread:.4f}；"
                "请找一个更大的提升",
            )
        )
    return correct(
        say(
            f"your mean val loss {mine.mean:.4f} ({shown}) beats the lesson row's "
            f"{theirs.mean:.4f} by {gain:.4f}, more than the seed-to-seed spread of {spread:.4f}: "
            "a real gain",
            f"你的平均验证损失 {mine.mean:.4f}（{shown}）比原课程那一行的 {theirs.mean:.4f} 低 "
            f"{gain:.4f}，超过了种子间的波动 {spread:.4f}：这是真正的提升",
        )
    )


def _run_facts(run: object, number: int) -> tuple[MLP, int, int]:
    """The model, steps and seed of one run, or a "not yet" saying what the run should be."""
    require(
        isinstance(run, RowResult),
        say(
            f"run {number} is a {type(run).__name__}: give what `run_row` returns, one per seed",
            f"第 {number} 次训练是 {type(run).__name__}：请给出 `run_row` 的返回值，每个种子一个",
        ),
    )
    require(
        isinstance(run.model, MLP),
        say(
            f"run {number} has no MLP (a count model or a mixture?): train an MLP row",
            f"第 {number} 次训练没有 MLP（是计数模型还是混合模型？）：请训练一个 MLP 行",
        ),
    )
    require(
        isinstance(run.steps, Integral) and isinstance(run.seed, Integral),
        say(
            f"run {number} does not say its steps and seed: give what `run_row` returns",
            f"第 {number} 次训练没有说明它的步数和种子：请给出 `run_row` 的返回值",
        ),
    )
    return run.model, int(run.steps), int(run.seed)


@checked
def check_beat_the_2k_row(runs: object, data: NamesData) -> Feedback:
    """Exercise 5.5: three seeds of one configuration against ``mlp-lesson-2k``'s three seeds.

    Each run must read 3 characters and train at most as many steps as the lesson row; the
    seeds must differ. The val losses are measured here with ``split_loss`` (the numbers the
    runs carry are not used) and judged by ``spread_verdict``.
    """
    if runs is None:
        return not_attempted(say("Fill in `runs` in the cell above", "在上面的单元格里填好 `runs`"))
    require(
        isinstance(runs, list | tuple),
        say(
            f"`runs` should be a list of {NUM_SEEDS} results of `run_row`, not a "
            f"{type(runs).__name__}",
            f"`runs` 应当是由 {NUM_SEEDS} 个 `run_row` 结果组成的列表，而不是 "
            f"{type(runs).__name__}",
        ),
    )
    require(
        len(runs) == NUM_SEEDS,
        say(
            f"give {NUM_SEEDS} runs, one per initial seed; `runs` has {len(runs)}",
            f"请给出 {NUM_SEEDS} 次训练，每个初始种子一次；`runs` 里有 {len(runs)} 次",
        ),
    )
    row = get_row(LESSON_ROW)
    context, max_steps = row.model.context_length, row.train.num_steps
    facts = [_run_facts(run, number) for number, run in enumerate(runs, start=1)]
    for number, (model, steps, _) in enumerate(facts, start=1):
        reads = model.config.context_length
        require(
            reads == context,
            say(
                f"run {number} reads {reads} characters of context: this challenge is at context "
                f"{context}, like the lesson row",
                f"第 {number} 次训练读入 {reads} 个字符的上下文：这个挑战和原课程那一行一样，"
                f"上下文长度为 {context}",
            ),
        )
        require(
            steps <= max_steps,
            say(
                f"run {number} trains {steps:,} steps: the challenge allows at most {max_steps:,}",
                f"第 {number} 次训练了 {steps:,} 步：挑战最多允许 {max_steps:,} 步",
            ),
        )
    seeds = [seed for _, _, seed in facts]
    require(
        len(set(seeds)) == NUM_SEEDS,
        say(
            f"the seeds {seeds} repeat: train the same configuration from {NUM_SEEDS} different "
            "`init_seed` values, so that the spread says how much the initial weights matter",
            f"种子 {seeds} 有重复：请用 {NUM_SEEDS} 个不同的 `init_seed` 训练同一配置，"
            "这样波动才能说明初始权重的影响有多大",
        ),
    )
    require(
        len({id(model) for model, _, _ in facts}) == NUM_SEEDS,
        say(
            "two runs share one model: each seed needs its own trained model",
            "两次训练共用了一个模型：每个种子都需要自己训练的模型",
        ),
    )
    lesson = lesson_val_losses()
    require(
        len(lesson) == NUM_SEEDS,
        say(
            f"the lesson row's {NUM_SEEDS} seeds are not all in results/names*.csv (found "
            f"{sorted(lesson)}): run tools/results_table.py --rows {LESSON_ROW} with --seed",
            f"原课程那一行的 {NUM_SEEDS} 个种子并不都在 results/names*.csv 里（找到的是 "
            f"{sorted(lesson)}）：请用 --seed 运行 tools/results_table.py --rows {LESSON_ROW}",
        ),
    )
    yours = [split_loss(model, data, "val") for model, _, _ in facts]
    return spread_verdict(yours, list(lesson.values()))
