"""The checks of notebook 03's exercises (each returns a feedback.Feedback, never raises).

Notebook 03 (word embeddings: skip-gram, CBOW, negative sampling) has five exercises:

- 3.1 ``check_skipgram_pairs``: the (centre, context) pairs of a sentence, written by hand;
- 3.2 ``check_nearest``: the nearest rows of an embedding table by cosine similarity;
- 3.3 ``check_noise_shares``: the share of noise draws that goes to the most frequent words,
  predicted and then measured at powers 1, 0.75 and 0;
- 3.4 ``check_ns_gradient``: the gradient of the negative-sampling loss for the centre vector;
- 3.5 ``check_shifted_pmi``: the score u_o . v_c that negative sampling's loss is best at, and
  how close the notebook's trained character model comes to it.

Every reference answer is computed here from the package (``word2vec.context_pairs``,
``embeddings.cosine_neighbours``, ``negative_sampling.noise_distribution`` and
``negative_sampling_step``), and every typical wrong answer is recognised by computing it too:
the sentence then names the mistake, not just the difference.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from numbers import Integral

import torch

from ngram_helpers import embeddings, negative_sampling, word2vec
from ngram_helpers.exercises.feedback import (
    Feedback,
    Rejected,
    as_items,
    as_number,
    as_tensor,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    require,
    tensors_close,
    wrong,
)
from ngram_helpers.language import say

# ---------------------------------------------------------------------------------------------
# Exercise 3.1 · skip-gram pairs by hand

SENTENCES = [  # (sentence, window): repeated words, a window wider than the sentence, one word
    ("the man loves his son", 2),
    ("the cat sat on the mat", 1),
    ("a rose is a rose is a rose", 3),
    ("to be or not", 6),
    ("alone", 2),
]


def _pairs_at(words: list[str], reach: Callable[[int], Iterable[int]]) -> Counter:
    """The pairs (words[t], words[j]) for every t and every j in ``reach(t)``, counted."""
    return Counter((words[t], words[j]) for t in range(len(words)) for j in reach(t))


def _pair_mistakes(words: list[str], window: int) -> list[tuple[Counter, str]]:
    """The pairs a typical wrong ``skipgram_pairs`` gives for ``words``, and what went wrong."""
    n, m = len(words), window

    def clipped(t: int, low: int, high: int) -> list[int]:
        return list(range(max(0, low), min(n, high)))

    return [
        (
            _pairs_at(words, lambda t: clipped(t, t - m, t + m + 1)),
            say(
                "every word is also paired with itself: leave the centre position out",
                "每个词还和它自己配成了一对：要去掉中心位置本身",
            ),
        ),
        (
            _pairs_at(words, lambda t: [j for j in range(t - m, min(n, t + m + 1)) if j != t]),
            say(
                "words near the start are paired with words at the end: a negative index counts "
                "from the end of a Python list, so clip the window at position 0",
                "开头附近的词和末尾的词配成了对：负的下标会从 Python 列表的末尾数起，"
                "所以窗口要在位置 0 处截断",
            ),
        ),
        (
            _pairs_at(words, lambda t: clipped(t, t + 1, t + m + 1)),
            say(
                "you only looked to the right of each centre; the window reaches both ways",
                "你只看了每个中心词的右边；窗口是向两边延伸的",
            ),
        ),
        (
            _pairs_at(words, lambda t: clipped(t, t - m, t)),
            say(
                "you only looked to the left of each centre; the window reaches both ways",
                "你只看了每个中心词的左边；窗口是向两边延伸的",
            ),
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m - 1, t + m + 2) if j != t]),
            say(
                f"you paired words up to {m + 1} positions apart: window {m} reaches {m} each way",
                f"你把相距最多 {m + 1} 个位置的词配成了对：窗口 {m} 向每边只延伸 {m} 个",
            ),
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m, t + m) if j != t]),
            say(
                f"the window stops one short on the right: range(t - {m}, t + {m}) leaves out t + "
                f"{m}, since a range excludes its end; write t + {m} + 1",
                f"窗口在右边少了一个：range(t - {m}, t + {m}) 不含 t + {m}，因为 range 不包括终点；"
                f"请写 t + {m} + 1",
            ),
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m + 1, t + m) if j != t]),
            say(
                f"you paired words at most {m - 1} apart: window {m} includes the words exactly "
                f"{m} away (an off-by-one in a range)",
                f"你只把相距最多 {m - 1} 的词配成了对：窗口 {m} 包括恰好相距 {m} 的词（range "
                "差了一）",
            ),
        ),
    ]


def _as_word_pairs(got: object) -> Counter:
    """The learner's pairs as a Counter of (str, str), or a "not yet" saying what they are."""
    message = say(
        "skipgram_pairs should return a list of (centre, context) tuples of words",
        "skipgram_pairs 应当返回由词组成的 (centre, context) 元组的列表",
    )
    require(
        not isinstance(got, str | bytes),
        say(f"{message}, not a string", f"{message}，而不是字符串"),
    )
    try:
        pairs = [tuple(pair) for pair in as_items(got, "skipgram_pairs")]
    except TypeError:
        raise Rejected(
            wrong(
                say(
                    f"{message}, not {type(got).__name__}",
                    f"{message}，而不是 {type(got).__name__}",
                )
            )
        ) from None
    for pair in pairs:
        require(
            len(pair) == 2,
            say(f"{message}; one of them is {pair!r}", f"{message}；其中一个是 {pair!r}"),
        )
        require(
            all(isinstance(word, str) for word in pair),
            say(
                f"{message} (the words themselves, not their positions); one of them is {pair!r}",
                f"{message}（是词本身，不是它们的位置）；其中一个是 {pair!r}",
            ),
        )
    return Counter(pairs)


def _show(pairs: Counter) -> str:
    return ", ".join(f"({a}, {b})" for a, b in sorted(pairs.elements())[:3])


@checked
def check_skipgram_pairs(skipgram_pairs: Callable[[list[str], int], object] | None) -> Feedback:
    """Exercise 3.1: ``skipgram_pairs(words, window)`` gives every (centre, context) word pair.

    Compared as a multiset (order free, repeats counted) with ``word2vec.context_pairs`` on five
    sentences: repeated words, a window wider than the sentence, a single word.
    """
    if skipgram_pairs is None:
        return not_attempted(
            say("Write `skipgram_pairs` in the cell above", "在上面的单元格里写出 `skipgram_pairs`")
        )
    require(
        callable(skipgram_pairs),
        say(
            "skipgram_pairs should be a function (def ...)",
            "skipgram_pairs 应当是一个函数（def ...）",
        ),
    )
    for sentence, window in SENTENCES:
        words = sentence.split()
        try:
            got = skipgram_pairs(list(words), window)
        except IndexError as err:
            return wrong(
                say(
                    f"skipgram_pairs raised IndexError ({err}) on {sentence!r} with window "
                    f"{window}: a window that reaches past either end of the sentence must stop at "
                    "its edge",
                    f"skipgram_pairs 在 {sentence!r}、窗口 {window} 上抛出了 IndexError（{err}）："
                    "伸出句子任一端的窗口必须在句子边缘停下",
                )
            )
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `skipgram_pairs` in the cell above",
                    "在上面的单元格里补全 `skipgram_pairs` 的函数体",
                )
            )
        got = _as_word_pairs(got)
        positions = word2vec.context_pairs(list(range(len(words))), window)
        expected = Counter((words[c], words[o]) for c, o in positions)
        if got == expected:
            continue
        where = say(
            f"On {sentence!r} with window {window}", f"在 {sentence!r} 上、窗口为 {window} 时"
        )
        for pairs, mistake in _pair_mistakes(words, window):
            if got == pairs:
                return wrong(say(f"{where}: {mistake}", f"{where}：{mistake}"))
        if set(got) == set(expected):
            return wrong(
                say(
                    f"{where} you have the right pairs but not as often as they occur: a pair that "
                    "occurs twice in the text is two training examples, so keep repeats",
                    f"{where}，你的词对是对的，但次数与它们出现的次数不符："
                    "在文本里出现两次的词对就是两个训练样本，所以要保留重复",
                )
            )
        missing, extra = expected - got, got - expected
        found = say(
            f"{sum(got.values())} pairs instead of {sum(expected.values())}",
            f"{sum(got.values())} 对，而不是 {sum(expected.values())} 对",
        )
        detail = (
            say(f"missing e.g. {_show(missing)}", f"缺少例如 {_show(missing)}")
            if missing
            else say(f"extra e.g. {_show(extra)}", f"多出例如 {_show(extra)}")
        )
        return wrong(
            say(f"{where} you give {found}; {detail}", f"{where}，你给出了 {found}；{detail}")
        )
    first = SENTENCES[0]
    n_first = len(word2vec.context_pairs(first[0].split(), first[1]))
    return correct(
        say(
            f"the right pairs for all {len(SENTENCES)} sentences. {first[0]!r} gives {n_first} "
            f"with window {first[1]}, fewer than 2 x {first[1]} x 5: words near either end have "
            "fewer neighbours.",
            f"全部 {len(SENTENCES)} 个句子的词对都对了。{first[0]!r} 在窗口 {first[1]} 下给出 "
            f"{n_first} 对，少于 2 x {first[1]} x 5：靠近两端的词邻居更少。",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3.2 · nearest neighbours by cosine similarity


def _neighbour_tables() -> list[tuple[torch.Tensor, int, int]]:
    """(vectors, query, k) cases where cosine, dot product and distance rank differently."""
    # Row 0 is the query. Row 3 is long but points elsewhere (the dot product's favourite),
    # row 4 is short and close by at 45 degrees (distance likes it): the three rankings
    # disagree on the top 3.
    small = torch.tensor(
        [[1.0, 0.0], [0.9, 0.1], [3.0, 0.5], [10.0, 12.0], [0.5, 0.5], [-1.0, 0.2], [1.2, 0.6]],
        dtype=torch.float64,
    )
    gen = torch.Generator().manual_seed(3)
    directions = torch.randn(40, 8, generator=gen, dtype=torch.float64)
    lengths = torch.rand(40, 1, generator=gen, dtype=torch.float64) * 5 + 0.1
    wide = directions * lengths
    return [(small, 0, 3), (wide, 7, 5), (wide, 21, 5)]


def _as_indices(got: object) -> list[int]:
    """The learner's neighbours as a list of ints, or a "not yet" saying what they are."""
    message = say(
        "nearest should return a list of row indices (ints)",
        "nearest 应当返回一个行下标（int）的列表",
    )
    if isinstance(got, torch.Tensor):
        require(
            got.dim() == 1,
            say(
                f"{message}; it returned a tensor of shape {tuple(got.shape)}",
                f"{message}；它返回的是形状为 {tuple(got.shape)} 的张量",
            ),
        )
        got = as_items(got, "nearest")
    require(
        not isinstance(got, str | bytes | float) and hasattr(got, "__iter__"),
        say(f"{message}, not {type(got).__name__}", f"{message}，而不是 {type(got).__name__}"),
    )
    items = as_items(got, "nearest")
    for item in items:
        require(
            not isinstance(item, tuple | list),
            say(
                f"{message}, not (index, similarity) pairs: keep just the indices",
                f"{message}，而不是 (index, similarity) 对：只保留下标",
            ),
        )
        require(
            isinstance(item, Integral),
            say(f"{message}; one of them is {item!r}", f"{message}；其中一个是 {item!r}"),
        )
    return [int(item) for item in items]


def _ranked(scores: torch.Tensor, query: int, k: int, largest: bool) -> list[int]:
    """The ``k`` rows with the largest (or smallest) scores, the query left out."""
    scores = scores.clone()
    scores[query] = float("-inf") if largest else float("inf")
    return torch.topk(scores, k, largest=largest).indices.tolist()


@checked
def check_nearest(nearest: Callable[[torch.Tensor, int, int], object] | None) -> Feedback:
    """Exercise 3.2: ``nearest(vectors, query, k)`` lists the k most cosine-similar rows.

    Compared with ``embeddings.cosine_neighbours`` on tables where vectors differ in length, so
    that ranking by dot product or by Euclidean distance gives other rows.
    """
    if nearest is None:
        return not_attempted(
            say("Write `nearest` in the cell above", "在上面的单元格里写出 `nearest`")
        )
    require(
        callable(nearest),
        say("nearest should be a function (def ...)", "nearest 应当是一个函数（def ...）"),
    )
    for vectors, query, k in _neighbour_tables():
        got = nearest(vectors.clone(), query, k)
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `nearest` in the cell above",
                    "在上面的单元格里补全 `nearest` 的函数体",
                )
            )
        got = _as_indices(got)
        expected = [i for i, _ in embeddings.cosine_neighbours(vectors, query, k)]
        if got == expected:
            continue
        where = say(
            f"For row {query} of a {tuple(vectors.shape)} table and k = {k}",
            f"对形状为 {tuple(vectors.shape)} 的表的第 {query} 行、k = {k}",
        )
        require(
            len(got) == k,
            say(
                f"{where} you return {len(got)} rows; it should be k = {k}",
                f"{where}，你返回了 {len(got)} 行；应当是 k = {k} 行",
            ),
        )
        require(
            query not in got,
            say(
                f"{where} your list contains the query itself: every vector is most similar to "
                "itself (cosine 1), so leave it out",
                f"{where}，你的列表里含有查询本身：每个向量都与自己最相似（余弦为 1），"
                "所以要把它去掉",
            ),
        )
        dots = vectors @ vectors[query]
        distances = (vectors - vectors[query]).norm(dim=1)
        require(
            got != _ranked(dots, query, k, largest=True),
            say(
                f"{where} you ranked by the dot product: long vectors win whatever their "
                "direction. Divide each dot product by both vectors' lengths",
                f"{where}，你按点积排序：长的向量不论方向都会胜出。请把每个点积除以两个向量的长度",
            ),
        )
        require(
            got != _ranked(distances, query, k, largest=False),
            say(
                f"{where} you ranked by Euclidean distance, which mixes length and direction; "
                "cosine similarity compares directions only",
                f"{where}，你按欧氏距离排序，它把长度和方向混在一起；余弦相似度只比较方向",
            ),
        )
        cosines = torch.nn.functional.cosine_similarity(vectors, vectors[query][None], dim=1)
        require(
            got != _ranked(cosines, query, k, largest=False),
            say(
                f"{where} you return the {k} least similar rows: sort with the highest cosine "
                "first",
                f"{where}，你返回的是最不相似的 {k} 行：要按余弦从高到低排序",
            ),
        )
        require(
            got != expected[::-1],
            say(
                f"{where} you have the right rows, least similar first: put the most similar first",
                f"{where}，行是对的，但最不相似的排在前面：要把最相似的放在最前",
            ),
        )
        require(
            sorted(got) != sorted(expected),
            say(
                f"{where} you have the right rows but not in order: the most similar comes first",
                f"{where}，行是对的，但顺序不对：最相似的排在最前",
            ),
        )
        return wrong(
            say(
                f"{where} the nearest rows are {expected}; you return {got}",
                f"{where}，最近的行是 {expected}；你返回的是 {got}",
            )
        )
    return correct(
        say(
            "your neighbours agree with embeddings.cosine_neighbours on every table, including "
            "one where the dot product and the distance would pick other rows.",
            "你的近邻在每张表上都与 embeddings.cosine_neighbours 一致，"
            "包括点积和距离会选出别的行的那张表。",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3.3 · where the noise draws go: predict, then measure

POWERS = (1.0, 0.75, 0.0)  # the unigram distribution, word2vec's choice, uniform
TOP, DRAWS = 10, 1_000_000  # a million draws: a standard deviation of about 0.0002


def _exact_share(counts: torch.Tensor, power: float, rows: torch.Tensor) -> float:
    """The probability that one noise draw at ``power`` is one of ``rows``."""
    return negative_sampling.noise_distribution(counts, power)[rows].sum().item()


def _close_share(got: float, expected: float, draws: int = DRAWS) -> bool:
    """Within five standard deviations of the share that ``draws`` draws would measure."""
    spread = math.sqrt(expected * (1 - expected) / draws)
    return abs(got - expected) <= 5 * spread + 1e-9


def _measured(
    top_share: Callable, counts: torch.Tensor, power: float, draws: int = DRAWS
) -> float | None:
    """The learner's share at ``power`` from ``draws`` draws, None if they returned None."""
    got = top_share(counts.clone(), power, TOP, draws, 0)  # as the task writes it
    if got is None:
        return None
    name = (
        f"top_share(counts, {power:g})"
        if draws == DRAWS
        else say(f"with draws={draws}, the share", f"draws={draws} 时的比例")
    )
    share = as_number(got, name)
    require(
        share <= 1,
        say(
            f"{name} returned {share:g}, more than 1: a share is the number of draws that are "
            "among the most frequent words divided by `draws`",
            f"{name} 返回了 {share:g}，大于 1：比例是落在最常见词中的抽样次数除以 `draws`",
        ),
    )
    require(
        share >= 0,
        say(
            f"{name} returned {share:g}; a share lies between 0 and 1",
            f"{name} 返回了 {share:g}；比例在 0 和 1 之间",
        ),
    )
    return share


def _share_mistakes(counts: torch.Tensor, power: float) -> list[tuple[float, str]]:
    """(share, what it means) for each typical wrong answer at ``power``."""
    most = torch.topk(counts, TOP).indices
    rarest = torch.topk(counts, TOP, largest=False).indices
    first = torch.arange(TOP)
    off_by_one = [torch.topk(counts, TOP + d).indices for d in (-1, 1)]
    mistakes = [
        (
            _exact_share(counts, power, rarest),
            say(
                f"the share of the {TOP} RAREST words: take the {TOP} largest counts",
                f"最稀有的 {TOP} 个词的比例：要取最大的 {TOP} 个计数",
            ),
        ),
        (
            _exact_share(counts, power, first),
            say(
                f"the share of the first {TOP} entries of `counts`, which need not be the most "
                f"frequent words: take the {TOP} largest counts",
                f"`counts` 前 {TOP} 个元素的比例，而它们不一定是最常见的词：要取最大的 {TOP} "
                "个计数",
            ),
        ),
    ]
    for rows in off_by_one:
        mistakes.append(
            (
                _exact_share(counts, power, rows),
                say(
                    f"the share of the {len(rows)} most frequent words: take exactly `top` of them",
                    f"最常见的 {len(rows)} 个词的比例：要恰好取 `top` 个",
                ),
            )
        )
    for other in POWERS:
        if other != power:
            mistakes.append(
                (
                    _exact_share(counts, other, most),
                    say(
                        f"the share at power {other:g}: draw from counts ** power, with the "
                        "`power` you were given",
                        f"幂为 {other:g} 时的比例：要用给你的 `power`，从 counts ** power 中抽取",
                    ),
                )
            )
    return mistakes


def _as_predictions(predicted: object) -> dict[float, float] | None:
    """The learner's three guesses by power; None while any is still missing."""
    require(
        isinstance(predicted, dict),
        say(
            f"`predicted` should be a dict from power to share, not {type(predicted).__name__}",
            f"`predicted` 应当是一个从幂到比例的 dict，而不是 {type(predicted).__name__}",
        ),
    )
    guesses = {}
    for power in POWERS:
        require(
            power in predicted,
            say(
                f"`predicted` has no guess for power {power:g}",
                f"`predicted` 里没有对幂 {power:g} 的猜测",
            ),
        )
        if predicted[power] is None:
            return None
        guess = as_number(
            predicted[power], say(f"your guess for power {power:g}", f"你对幂 {power:g} 的猜测")
        )
        require(
            0 <= guess <= 1,
            say(
                f"your guess for power {power:g} is {guess:g}: a share lies between 0 and 1",
                f"你对幂 {power:g} 的猜测是 {guess:g}：比例在 0 和 1 之间",
            ),
        )
        guesses[power] = guess
    return guesses


@checked
def check_noise_shares(
    top_share: Callable[..., object] | None, predicted: object, counts: torch.Tensor
) -> Feedback:
    """Exercise 3.3: the share of noise draws that goes to the 10 most frequent words.

    ``top_share(counts, power, top, draws, seed)`` draws ``draws`` noise words from
    count^power and returns the fraction among the ``top`` largest counts. It is run at powers
    1, 0.75 and 0 on ``counts`` and once on a shuffled copy (so that the first entries are not
    the most frequent words) and compared with the exact share, within five standard deviations
    of the sampling noise. The rarest words, the first entries, another power and a count in
    place of a share are each named. Once it measures right, ``predicted`` (power -> guessed
    share) is put beside the measurements.
    """
    if top_share is None:
        return not_attempted(
            say("Write `top_share` in the cell above", "在上面的单元格里写出 `top_share`")
        )
    require(
        callable(top_share),
        say("top_share should be a function (def ...)", "top_share 应当是一个函数（def ...）"),
    )
    counts = torch.as_tensor(counts, dtype=torch.float64)
    shuffled = counts[torch.randperm(len(counts), generator=torch.Generator().manual_seed(3))]
    measured = {}
    for table, label in [
        (counts, ""),
        (shuffled, say(" on counts in another order", "（在换了顺序的 counts 上）")),
    ]:
        most = torch.topk(table, TOP).indices
        for power in POWERS if not label else (0.75,):
            got = _measured(top_share, table, power)
            if got is None:
                return not_attempted(
                    say(
                        "Fill in the body of `top_share` in the cell above",
                        "在上面的单元格里补全 `top_share` 的函数体",
                    )
                )
            if not measured:  # the first call: are there `draws` draws behind the share?
                few = _measured(top_share, table, power, draws=10)
                require(
                    few is not None and abs(few * 10 - round(few * 10)) < 1e-6,
                    say(
                        f"top_share(counts, {power:g}, {TOP}, 10, 0) = {few}, but a share of 10 "
                        "draws is a multiple of 0.1: draw exactly `draws` noise words with "
                        "torch.multinomial and count how many are among the most frequent",
                        f"top_share(counts, {power:g}, {TOP}, 10, 0) = {few}，但 10 "
                        "次抽样的比例应是 0.1 的倍数：请用 torch.multinomial 恰好抽 `draws` "
                        "个噪声词，再数其中有多少落在最常见的词里",
                    ),
                )
            expected = _exact_share(table, power, most)
            if _close_share(got, expected):
                measured.setdefault(power, got)
                continue
            name = f"top_share(counts, {power:g}){label} = {got:.4f}"
            for share, meaning in _share_mistakes(table, power):
                require(
                    not _close_share(got, share),
                    say(f"{name} is {meaning}", f"{name}，这是{meaning}"),
                )
            return wrong(
                say(
                    f"{name}, but {expected:.4f} of the noise draws go to the {TOP} most frequent "
                    "words, beyond the sampling noise of a million draws: draw with "
                    "torch.multinomial(counts ** power, draws, replacement=True) and count the "
                    f"draws among torch.topk(counts, {TOP}).indices",
                    f"{name}，但噪声抽样中有 {expected:.4f} 落在最常见的 {TOP} 个词上，"
                    "差别超出了一百万次抽样的随机误差：请用 torch.multinomial(counts ** power, "
                    f"draws, replacement=True) 抽样，再数落在 torch.topk(counts, {TOP}).indices "
                    "中的次数",
                )
            )
    guesses = _as_predictions(predicted)
    if guesses is None:
        return not_attempted(
            say(
                "`top_share` measures right. Before it shows you the measurements, write your "
                "three guesses into `predicted`",
                "`top_share` 测得对。在它给你看测量结果之前，先把你的三个猜测写进 `predicted`",
            )
        )
    shown = "; ".join(
        say(
            f"power {power:g}: measured {measured[power]:.4f}, you guessed {guesses[power]:.4f}",
            f"幂 {power:g}：测得 {measured[power]:.4f}，你猜的是 {guesses[power]:.4f}",
        )
        for power in POWERS
    )
    return correct(
        say(
            f"{shown}. At power 0 the {TOP} words get {TOP} / {len(counts):,} of the draws, one "
            "word's share each; power 0.75 keeps them the commonest noise but gives them "
            f"{measured[0.75] / measured[1.0]:.2f} times their share at power 1.",
            f"{shown}。幂为 0 时，这 {TOP} 个词得到 {TOP} / {len(counts):,} 的抽样，"
            "每个词只占一个词的份额；幂 0.75 让它们仍是最常见的噪声，但份额只有幂为 1 时的 "
            f"{measured[0.75] / measured[1.0]:.2f} 倍。",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3.4 · the gradient of the negative-sampling loss for the centre vector


def _gradient_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """A few (v_c (D,), u_o (D,), u_neg (K, D)) in float64, scores of order 1."""
    gen = torch.Generator().manual_seed(4)
    cases = []
    for dim, k in [(5, 4), (3, 1), (8, 6)]:
        v_c = torch.randn(dim, generator=gen, dtype=torch.float64) * 0.7
        u_o = torch.randn(dim, generator=gen, dtype=torch.float64) * 0.7
        u_neg = torch.randn(k, dim, generator=gen, dtype=torch.float64) * 0.7
        cases.append((v_c, u_o, u_neg))
    return cases


def _reference_gradient(v_c: torch.Tensor, u_o: torch.Tensor, u_neg: torch.Tensor) -> torch.Tensor:
    """d loss / d v_c, taken from the step ``negative_sampling.negative_sampling_step`` makes.

    With learning rate 1 that step is minus the gradient, so the reference answer is exactly
    what training does.
    """
    w_out = torch.cat([u_o[None], u_neg]).clone()
    outputs = torch.arange(len(w_out))[None]
    sign = torch.tensor([[1.0] + [-1.0] * len(u_neg)], dtype=w_out.dtype)
    step, _ = negative_sampling.negative_sampling_step(w_out, v_c[None], outputs, sign, lr=1.0)
    return -step[0]


def _gradient_mistakes(
    v_c: torch.Tensor, u_o: torch.Tensor, u_neg: torch.Tensor
) -> list[tuple[torch.Tensor, str]]:
    """What typical wrong derivations give, and what went wrong in each."""
    s_o, s_k = u_o @ v_c, u_neg @ v_c
    true_term = -torch.sigmoid(-s_o) * u_o  # from -log sigma(u_o . v_c)
    noise_terms = torch.sigmoid(s_k) @ u_neg  # from -log sigma(-u_k . v_c), summed over k
    return [
        (
            -(true_term + noise_terms),
            say(
                "your gradient has the opposite sign: it is the gradient of the log-likelihood "
                "log sigma(u_o.v_c) + sum log sigma(-u_k.v_c); the loss is its negative",
                "你的梯度符号反了：这是对数似然 log sigma(u_o.v_c) + sum log sigma(-u_k.v_c) "
                "的梯度；损失是它的相反数",
            ),
        ),
        (
            -u_o + u_neg.sum(dim=0),
            say(
                "the sigmoid factors are missing: each vector is weighted by how wrong the model "
                "is about it, sigma(-u_o.v_c) for the true word and sigma(u_k.v_c) for a noise "
                "word",
                "缺了 sigmoid 因子：每个向量的权重是模型在它上面错得有多厉害，真实词是 "
                "sigma(-u_o.v_c)，噪声词是 sigma(u_k.v_c)",
            ),
        ),
        (
            -torch.sigmoid(s_o) * u_o + torch.sigmoid(-s_k) @ u_neg,
            say(
                "sigma(x) and sigma(-x) are swapped: d/dx [-log sigma(x)] = -sigma(-x) = sigma(x) "
                "- 1",
                "sigma(x) 和 sigma(-x) 弄反了：d/dx [-log sigma(x)] = -sigma(-x) = sigma(x) - 1",
            ),
        ),
        (
            true_term - noise_terms,
            say(
                "the noise words' terms have the wrong sign: the loss falls when v_c moves away "
                "from a noise word, so its gradient points towards u_k: + sigma(u_k.v_c) u_k",
                "噪声词那些项的符号错了：v_c 远离噪声词时损失下降，所以它的梯度指向 u_k：+ "
                "sigma(u_k.v_c) u_k",
            ),
        ),
        (
            -true_term + noise_terms,
            say(
                "the true word's term has the wrong sign: the loss falls when v_c moves towards "
                "u_o, so its gradient is - sigma(-u_o.v_c) u_o",
                "真实词那一项的符号错了：v_c 靠近 u_o 时损失下降，所以它的梯度是 - "
                "sigma(-u_o.v_c) u_o",
            ),
        ),
        (
            true_term,
            say(
                "only the true word's term is there: add one term per noise word",
                "只有真实词那一项：每个噪声词还要各加一项",
            ),
        ),
        (
            noise_terms,
            say(
                "only the noise words' terms are there: the true word u_o has one too",
                "只有噪声词的那些项：真实词 u_o 也有一项",
            ),
        ),
        (
            true_term + noise_terms / len(u_neg),
            say(
                "the noise terms are averaged: the loss sums over the K noise words, so sum them",
                "噪声项被取了平均：损失是对 K 个噪声词求和，所以要把它们加起来",
            ),
        ),
    ]


@checked
def check_ns_gradient(
    ns_grad_centre: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], object] | None,
) -> Feedback:
    """Exercise 3.4: ``ns_grad_centre(v_c, u_o, u_neg)`` is d loss / d v_c of negative sampling.

    Compared on three random float64 cases with the step ``negative_sampling_step`` takes (the
    same as autograd); sign errors, missing sigmoids, swapped sigmoids and missing or averaged
    terms are each named.
    """
    if ns_grad_centre is None:
        return not_attempted(
            say("Write `ns_grad_centre` in the cell above", "在上面的单元格里写出 `ns_grad_centre`")
        )
    require(
        callable(ns_grad_centre),
        say(
            "ns_grad_centre should be a function (def ...)",
            "ns_grad_centre 应当是一个函数（def ...）",
        ),
    )
    for v_c, u_o, u_neg in _gradient_cases():
        got = ns_grad_centre(v_c.clone(), u_o.clone(), u_neg.clone())
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `ns_grad_centre` in the cell above",
                    "在上面的单元格里补全 `ns_grad_centre` 的函数体",
                )
            )
        got = as_tensor(got, "ns_grad_centre(...)")
        k, dim = u_neg.shape
        where = say(f"With D = {dim} and K = {k}", f"当 D = {dim}、K = {k} 时")
        require(
            got.shape != (k, dim),
            say(
                f"{where} your gradient has one row per noise word, shape {(k, dim)}: sum them and "
                f"add the true word's term, giving shape ({dim},)",
                f"{where}，你的梯度每个噪声词一行，形状 {(k, dim)}：要把它们加起来，"
                f"再加上真实词那一项，得到形状 ({dim},)",
            ),
        )
        expected = _reference_gradient(v_c, u_o, u_neg)
        mismatch = compare_tensors(got, expected, say("your gradient", "你的梯度"))
        if mismatch is None:
            continue
        if got.shape == expected.shape:
            for answer, mistake in _gradient_mistakes(v_c, u_o, u_neg):
                require(not torch.allclose(got, answer, rtol=1e-5, atol=1e-7), mistake)
        return wrong(say(f"{where}: {mismatch.message}", f"{where}：{mismatch.message}"))
    return correct(
        say(
            "your gradient matches on all three cases. A step of -lr times it is exactly what "
            "negative_sampling_step adds to h: -sigma(-u_o.v_c) u_o pulls v_c towards the true "
            "word, and each + sigma(u_k.v_c) u_k pushes it away from a noise word, harder the "
            "more the model mistakes that noise word for a context word.",
            "你的梯度在三种情形下都对。走 -lr 乘以它的一步，正是 negative_sampling_step 加到 h "
            "上的量：-sigma(-u_o.v_c) u_o 把 v_c 拉向真实词，每个 + sigma(u_k.v_c) u_k "
            "把它推离一个噪声词，模型越是把这个噪声词误认作上下文词，推得越用力。",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3.5 · what negative sampling's loss is best at


def _pair_counts(pairs: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """(vocab, vocab) float64: entry [c, o] is how many rows of ``pairs`` are (c, o)."""
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    ones = torch.ones(len(pairs), dtype=torch.float64)
    return counts.index_put_((pairs[:, 0], pairs[:, 1]), ones, accumulate=True)


def _best_scores(pair_counts: torch.Tensor, noise: torch.Tensor, k: int) -> torch.Tensor:
    """The score u_o . v_c minimising the negative-sampling loss, for every (c, o).

    Pair (c, o) occurs #(c, o) times as a true pair and, in expectation, K n_c P_n(o) times as a
    noise pair (n_c: the pairs with centre c). Setting the derivative of
    -#(c, o) log sigma(x) - K n_c P_n(o) log sigma(-x) to zero gives
    x* = log(#(c, o) / (K n_c P_n(o))): minus infinity for a pair that never occurs.
    """
    centre_totals = pair_counts.sum(dim=1, keepdim=True)
    return torch.log(pair_counts / (k * centre_totals * noise[None, :]))


def _weighted_correlation(a: torch.Tensor, b: torch.Tensor, weights: torch.Tensor) -> float:
    """Pearson's r between ``a`` and ``b`` with each entry counted ``weights`` times."""
    w = weights / weights.sum()
    a, b = a - (w * a).sum(), b - (w * b).sum()
    return ((w * a * b).sum() / ((w * a * a).sum() * (w * b * b).sum()).sqrt()).item()


def _small_pair_counts() -> tuple[torch.Tensor, torch.Tensor]:
    """A made-up asymmetric table of pair counts with unseen pairs, and a noise distribution."""
    counts = torch.tensor(
        [
            [0, 12, 3, 0, 5],
            [7, 0, 1, 9, 0],
            [2, 2, 0, 4, 8],
            [0, 6, 11, 0, 1],
            [3, 0, 5, 2, 0],
        ],
        dtype=torch.float64,
    )
    return counts, negative_sampling.noise_distribution(torch.tensor([30.0, 18, 25, 9, 14]))


def _shifted_pmi_mistakes(
    pair_counts: torch.Tensor, noise: torch.Tensor, k: int
) -> list[tuple[torch.Tensor, str]]:
    """What typical wrong versions of x* give, and what went wrong in each."""
    best = _best_scores(pair_counts, noise, k)
    total = pair_counts.sum()
    context_share = pair_counts.sum(dim=0) / total
    centre_share = pair_counts.sum(dim=1, keepdim=True) / total
    log_k = math.log(k)
    return [
        (
            best.T,
            say(
                "rows and columns are swapped: row c is the centre word, column o the context word",
                "行和列弄反了：第 c 行是中心词，第 o 列是上下文词",
            ),
        ),
        (
            best + log_k,
            say(
                f"every score is log K = {log_k:.4g} too high: each true pair comes with K noise "
                "draws, so the expected count of (c, o) as noise is K n_c P_n(o)",
                f"每个分数都高了 log K = {log_k:.4g}：每个真实词对都伴随 K 次噪声抽样，所以 (c, o) "
                "作为噪声的期望次数是 K n_c P_n(o)",
            ),
        ),
        (
            best - log_k,
            say(
                f"every score is log K = {log_k:.4g} too low: divide by K, not multiply",
                f"每个分数都低了 log K = {log_k:.4g}：要除以 K，而不是乘以 K",
            ),
        ),
        (
            best + log_k + torch.log(noise)[None, :],
            say(
                "that is log P(o | c), what the full softmax learns; negative sampling compares "
                "the true pairs with noise pairs, so divide by K P_n(o) as well",
                "这是 log P(o | c)，即完整 softmax 学到的东西；负采样是拿真实词对与噪声词对作比较，"
                "所以还要除以 K P_n(o)",
            ),
        ),
        (
            torch.log(pair_counts / total / (centre_share * context_share)) - log_k,
            say(
                "that is the classic PMI minus log K, with the context words' own frequency; the "
                "noise words are drawn from P_n (count^0.75), so use `noise`",
                "这是经典的 PMI 减去 log K，用的是上下文词自身的频率；噪声词是从 P_n（count^0.75）"
                "中抽取的，所以要用 `noise`",
            ),
        ),
        (
            torch.sigmoid(best),
            say(
                "those are probabilities sigma(x*); the exercise asks for the score x* itself",
                "这些是概率 sigma(x*)；练习要的是分数 x* 本身",
            ),
        ),
        (
            best / math.log(2),
            say(
                "you used log base 2; sigma is built on e, so use the natural log",
                "你用了以 2 为底的对数；sigma 是以 e 为底构造的，所以要用自然对数",
            ),
        ),
    ]


@checked
def check_shifted_pmi(
    shifted_pmi: Callable[[torch.Tensor, torch.Tensor, int], object] | None,
    pairs: torch.Tensor,
    counts: torch.Tensor,
    k: int,
    trained: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> Feedback:
    """Exercise 3.5: ``shifted_pmi(pair_counts, noise, k)`` is the best score x* for every pair.

    Checked on a small asymmetric table (so that swapped rows and columns show), then on the
    notebook's ``pairs`` (N, 2) with the noise distribution of ``counts``. With ``trained``
    ``(v, u)``, a model trained with ``k`` noise words, the verdict also measures how close its
    scores u_o . v_c come to x*, and to log P(o | c), weighting each pair by how often it occurs.
    """
    if shifted_pmi is None:
        return not_attempted(
            say("Write `shifted_pmi` in the cell above", "在上面的单元格里写出 `shifted_pmi`")
        )
    require(
        callable(shifted_pmi),
        say("shifted_pmi should be a function (def ...)", "shifted_pmi 应当是一个函数（def ...）"),
    )
    pairs = torch.as_tensor(pairs).long()
    counts = torch.as_tensor(counts, dtype=torch.float64)
    big = _pair_counts(pairs, len(counts))
    cases = [(*_small_pair_counts(), 3), (big, negative_sampling.noise_distribution(counts), k)]
    for pair_counts, noise, k_case in cases:
        got = shifted_pmi(pair_counts.clone(), noise.clone(), k_case)
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `shifted_pmi` in the cell above",
                    "在上面的单元格里补全 `shifted_pmi` 的函数体",
                )
            )
        got = as_tensor(got, "shifted_pmi(...)")
        size = tuple(pair_counts.shape)
        where = say(f"With a {size} table and K = {k_case}", f"对大小为 {size} 的表、K = {k_case}")
        require(
            got.shape == size,
            say(
                f"{where} your x* has shape {tuple(got.shape)}; it should be {size}",
                f"{where}，你的 x* 形状是 {tuple(got.shape)}；应当是 {size}",
            ),
        )
        expected = _best_scores(pair_counts, noise, k_case)
        if tensors_close(got, expected, atol=1e-6, rtol=1e-5):
            continue
        for answer, mistake in _shifted_pmi_mistakes(pair_counts, noise, k_case):
            require(
                not tensors_close(got, answer, atol=1e-6, rtol=1e-5),
                say(f"{where}: {mistake}", f"{where}：{mistake}"),
            )
        seen = pair_counts > 0
        require(
            not torch.isnan(got[~seen]).any(),
            say(
                f"{where} your x* is nan where a pair never occurs: there log(0) = -inf, which is "
                "the right answer (do not divide 0 by 0)",
                f"{where}，在从未出现的词对上你的 x* 是 nan：那里 log(0) = -inf，"
                "这才是正确答案（不要算 0 除以 0）",
            ),
        )
        require(
            bool((got[~seen] == float("-inf")).all()),
            say(
                f"{where} a pair that never occurs gets a finite x*: nothing pulls its score up, "
                "only the noise pushes it down, so the best score is -inf (log 0)",
                f"{where}，从未出现的词对得到了有限的 x*：没有什么把它的分数往上拉，"
                "只有噪声把它往下推，所以最佳分数是 -inf（log 0）",
            ),
        )
        mismatch = compare_tensors(
            got[seen], expected[seen], say("x* over the pairs that occur", "出现过的词对上的 x*")
        )
        return wrong(say(f"{where}: {mismatch.message}", f"{where}：{mismatch.message}"))
    verdict = say("your x* is right on both tables.", "你的 x* 在两张表上都对。")
    if trained is None:
        return correct(verdict)
    v, u = (torch.as_tensor(t, dtype=torch.float64) for t in trained)
    seen = big > 0
    scores = (v @ u.T)[seen]
    best = _best_scores(big, negative_sampling.noise_distribution(counts), k)[seen]
    log_p = torch.log(big / big.sum(dim=1, keepdim=True))[seen]
    weights = big[seen]
    r_best = _weighted_correlation(scores, best, weights)
    r_log_p = _weighted_correlation(scores, log_p, weights)
    r_plain = _weighted_correlation(scores, best, torch.ones_like(weights))
    gap = ((scores - best).abs() * weights).sum().item() / weights.sum().item()
    rare = say(
        ": rare pairs weigh little in the loss, so training leaves them further from x*",
        "：稀少的词对在损失中分量很小，所以训练让它们离 x* 更远",
    )
    return correct(
        say(
            f"{verdict} On the model trained with K = {k}, weighting each pair by how often it "
            f"occurs, u_o.v_c correlates with x* at r = {r_best:.3f} (with log P(o | c) at "
            f"{r_log_p:.3f}) and is on average {gap:.2f} from it. Counting every pair once, r = "
            f"{r_plain:.3f}{rare if r_plain < r_best - 0.05 else ''}.",
            f"{verdict}在用 K = {k} 训练的模型上，按每个词对出现的次数加权，u_o.v_c 与 x* "
            f"的相关系数 r = {r_best:.3f}（与 log P(o | c) 的是 {r_log_p:.3f}），平均相差 "
            f"{gap:.2f}。每个词对只算一次时，r = "
            f"{r_plain:.3f}{rare if r_plain < r_best - 0.05 else ''}。",
        )
    )
