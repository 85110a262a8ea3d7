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
            "every word is also paired with itself: leave the centre position out",
        ),
        (
            _pairs_at(words, lambda t: [j for j in range(t - m, min(n, t + m + 1)) if j != t]),
            "words near the start are paired with words at the end: a negative index counts "
            "from the end of a Python list, so clip the window at position 0",
        ),
        (
            _pairs_at(words, lambda t: clipped(t, t + 1, t + m + 1)),
            "you only looked to the right of each centre; the window reaches both ways",
        ),
        (
            _pairs_at(words, lambda t: clipped(t, t - m, t)),
            "you only looked to the left of each centre; the window reaches both ways",
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m - 1, t + m + 2) if j != t]),
            f"you paired words up to {m + 1} positions apart: window {m} reaches {m} each way",
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m, t + m) if j != t]),
            f"the window stops one short on the right: range(t - {m}, t + {m}) leaves out "
            f"t + {m}, since a range excludes its end; write t + {m} + 1",
        ),
        (
            _pairs_at(words, lambda t: [j for j in clipped(t, t - m + 1, t + m) if j != t]),
            f"you paired words at most {m - 1} apart: window {m} includes the words exactly {m} "
            "away (an off-by-one in a range)",
        ),
    ]


def _as_word_pairs(got: object) -> Counter:
    """The learner's pairs as a Counter of (str, str), or a "not yet" saying what they are."""
    message = "skipgram_pairs should return a list of (centre, context) tuples of words"
    require(not isinstance(got, str | bytes), f"{message}, not a string")
    try:
        pairs = [tuple(pair) for pair in got]
    except TypeError:
        raise Rejected(wrong(f"{message}, not {type(got).__name__}")) from None
    for pair in pairs:
        require(len(pair) == 2, f"{message}; one of them is {pair!r}")
        require(
            all(isinstance(word, str) for word in pair),
            f"{message} (the words themselves, not their positions); one of them is {pair!r}",
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
        return not_attempted("Write `skipgram_pairs` in the cell above")
    require(callable(skipgram_pairs), "skipgram_pairs should be a function (def ...)")
    for sentence, window in SENTENCES:
        words = sentence.split()
        try:
            got = skipgram_pairs(list(words), window)
        except IndexError as err:
            return wrong(
                f"skipgram_pairs raised IndexError ({err}) on {sentence!r} with window {window}: "
                "a window that reaches past either end of the sentence must stop at its edge"
            )
        if got is None:
            return not_attempted("Fill in the body of `skipgram_pairs` in the cell above")
        got = _as_word_pairs(got)
        positions = word2vec.context_pairs(list(range(len(words))), window)
        expected = Counter((words[c], words[o]) for c, o in positions)
        if got == expected:
            continue
        where = f"On {sentence!r} with window {window}"
        for pairs, mistake in _pair_mistakes(words, window):
            if got == pairs:
                return wrong(f"{where}: {mistake}")
        if set(got) == set(expected):
            return wrong(
                f"{where} you have the right pairs but not as often as they occur: a pair that "
                "occurs twice in the text is two training examples, so keep repeats"
            )
        missing, extra = expected - got, got - expected
        found = f"{sum(got.values())} pairs instead of {sum(expected.values())}"
        detail = f"missing e.g. {_show(missing)}" if missing else f"extra e.g. {_show(extra)}"
        return wrong(f"{where} you give {found}; {detail}")
    first = SENTENCES[0]
    n_first = len(word2vec.context_pairs(first[0].split(), first[1]))
    return correct(
        f"the right pairs for all {len(SENTENCES)} sentences. {first[0]!r} gives {n_first} with "
        f"window {first[1]}, fewer than 2 x {first[1]} x 5: words near either end have fewer "
        "neighbours."
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
    message = "nearest should return a list of row indices (ints)"
    if isinstance(got, torch.Tensor):
        require(got.dim() == 1, f"{message}; it returned a tensor of shape {tuple(got.shape)}")
        got = got.tolist()
    require(
        not isinstance(got, str | bytes | float) and hasattr(got, "__iter__"),
        f"{message}, not {type(got).__name__}",
    )
    items = list(got)
    for item in items:
        require(
            not isinstance(item, tuple | list),
            f"{message}, not (index, similarity) pairs: keep just the indices",
        )
        require(isinstance(item, Integral), f"{message}; one of them is {item!r}")
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
        return not_attempted("Write `nearest` in the cell above")
    require(callable(nearest), "nearest should be a function (def ...)")
    for vectors, query, k in _neighbour_tables():
        got = nearest(vectors.clone(), query, k)
        if got is None:
            return not_attempted("Fill in the body of `nearest` in the cell above")
        got = _as_indices(got)
        expected = [i for i, _ in embeddings.cosine_neighbours(vectors, query, k)]
        if got == expected:
            continue
        where = f"For row {query} of a {tuple(vectors.shape)} table and k = {k}"
        require(len(got) == k, f"{where} you return {len(got)} rows; it should be k = {k}")
        require(
            query not in got,
            f"{where} your list contains the query itself: every vector is most similar to "
            "itself (cosine 1), so leave it out",
        )
        dots = vectors @ vectors[query]
        distances = (vectors - vectors[query]).norm(dim=1)
        require(
            got != _ranked(dots, query, k, largest=True),
            f"{where} you ranked by the dot product: long vectors win whatever their direction. "
            "Divide each dot product by both vectors' lengths",
        )
        require(
            got != _ranked(distances, query, k, largest=False),
            f"{where} you ranked by Euclidean distance, which mixes length and direction; cosine "
            "similarity compares directions only",
        )
        cosines = torch.nn.functional.cosine_similarity(vectors, vectors[query][None], dim=1)
        require(
            got != _ranked(cosines, query, k, largest=False),
            f"{where} you return the {k} least similar rows: sort with the highest cosine first",
        )
        require(
            got != expected[::-1],
            f"{where} you have the right rows, least similar first: put the most similar first",
        )
        require(
            sorted(got) != sorted(expected),
            f"{where} you have the right rows but not in order: the most similar comes first",
        )
        return wrong(f"{where} the nearest rows are {expected}; you return {got}")
    return correct(
        "your neighbours agree with embeddings.cosine_neighbours on every table, including one "
        "where the dot product and the distance would pick other rows."
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
    name = f"top_share(counts, {power:g})" if draws == DRAWS else f"with draws={draws}, the share"
    share = as_number(got, name)
    require(
        share <= 1,
        f"{name} returned {share:g}, more than 1: a share is the number of draws that are "
        "among the most frequent words divided by `draws`",
    )
    require(share >= 0, f"{name} returned {share:g}; a share lies between 0 and 1")
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
            f"the share of the {TOP} RAREST words: take the {TOP} largest counts",
        ),
        (
            _exact_share(counts, power, first),
            f"the share of the first {TOP} entries of `counts`, "
            f"which need not be the most frequent words: take the {TOP} largest counts",
        ),
    ]
    for rows in off_by_one:
        mistakes.append(
            (
                _exact_share(counts, power, rows),
                f"the share of the {len(rows)} most frequent words: take exactly `top` of them",
            )
        )
    for other in POWERS:
        if other != power:
            mistakes.append(
                (
                    _exact_share(counts, other, most),
                    f"the share at power {other:g}: "
                    "draw from counts ** power, with the `power` you were given",
                )
            )
    return mistakes


def _as_predictions(predicted: object) -> dict[float, float] | None:
    """The learner's three guesses by power; None while any is still missing."""
    require(
        isinstance(predicted, dict),
        f"`predicted` should be a dict from power to share, not {type(predicted).__name__}",
    )
    guesses = {}
    for power in POWERS:
        require(power in predicted, f"`predicted` has no guess for power {power:g}")
        if predicted[power] is None:
            return None
        guess = as_number(predicted[power], f"your guess for power {power:g}")
        require(
            0 <= guess <= 1,
            f"your guess for power {power:g} is {guess:g}: a share lies between 0 and 1",
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
        return not_attempted("Write `top_share` in the cell above")
    require(callable(top_share), "top_share should be a function (def ...)")
    counts = torch.as_tensor(counts, dtype=torch.float64)
    shuffled = counts[torch.randperm(len(counts), generator=torch.Generator().manual_seed(3))]
    measured = {}
    for table, label in [(counts, ""), (shuffled, " on counts in another order")]:
        most = torch.topk(table, TOP).indices
        for power in POWERS if not label else (0.75,):
            got = _measured(top_share, table, power)
            if got is None:
                return not_attempted("Fill in the body of `top_share` in the cell above")
            if not measured:  # the first call: are there `draws` draws behind the share?
                few = _measured(top_share, table, power, draws=10)
                require(
                    few is not None and abs(few * 10 - round(few * 10)) < 1e-6,
                    f"top_share(counts, {power:g}, {TOP}, 10, 0) = {few}, but a share of 10 "
                    "draws is a multiple of 0.1: draw exactly `draws` noise words with "
                    "torch.multinomial and count how many are among the most frequent",
                )
            expected = _exact_share(table, power, most)
            if _close_share(got, expected):
                measured.setdefault(power, got)
                continue
            name = f"top_share(counts, {power:g}){label} = {got:.4f}"
            for share, meaning in _share_mistakes(table, power):
                require(not _close_share(got, share), f"{name} is {meaning}")
            return wrong(
                f"{name}, but {expected:.4f} of the noise draws go to the {TOP} most frequent "
                "words, beyond the sampling noise of a million draws: draw with "
                "torch.multinomial(counts ** power, draws, replacement=True) and count the draws "
                f"among torch.topk(counts, {TOP}).indices"
            )
    guesses = _as_predictions(predicted)
    if guesses is None:
        return not_attempted(
            "`top_share` measures right. Before it shows you the measurements, write your three "
            "guesses into `predicted`"
        )
    shown = "; ".join(
        f"power {power:g}: measured {measured[power]:.4f}, you guessed {guesses[power]:.4f}"
        for power in POWERS
    )
    return correct(
        f"{shown}. At power 0 the {TOP} words get {TOP} / {len(counts):,} of the draws, one "
        "word's share each; power 0.75 keeps them the commonest noise but gives them "
        f"{measured[0.75] / measured[1.0]:.2f} times their share at power 1."
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
            "your gradient has the opposite sign: it is the gradient of the log-likelihood "
            "log sigma(u_o.v_c) + sum log sigma(-u_k.v_c); the loss is its negative",
        ),
        (
            -u_o + u_neg.sum(dim=0),
            "the sigmoid factors are missing: each vector is weighted by how wrong the model is "
            "about it, sigma(-u_o.v_c) for the true word and sigma(u_k.v_c) for a noise word",
        ),
        (
            -torch.sigmoid(s_o) * u_o + torch.sigmoid(-s_k) @ u_neg,
            "sigma(x) and sigma(-x) are swapped: d/dx [-log sigma(x)] = -sigma(-x) = sigma(x) - 1",
        ),
        (
            true_term - noise_terms,
            "the noise words' terms have the wrong sign: the loss falls when v_c moves away "
            "from a noise word, so its gradient points towards u_k: + sigma(u_k.v_c) u_k",
        ),
        (
            -true_term + noise_terms,
            "the true word's term has the wrong sign: the loss falls when v_c moves towards "
            "u_o, so its gradient is - sigma(-u_o.v_c) u_o",
        ),
        (true_term, "only the true word's term is there: add one term per noise word"),
        (noise_terms, "only the noise words' terms are there: the true word u_o has one too"),
        (
            true_term + noise_terms / len(u_neg),
            "the noise terms are averaged: the loss sums over the K noise words, so sum them",
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
        return not_attempted("Write `ns_grad_centre` in the cell above")
    require(callable(ns_grad_centre), "ns_grad_centre should be a function (def ...)")
    for v_c, u_o, u_neg in _gradient_cases():
        got = ns_grad_centre(v_c.clone(), u_o.clone(), u_neg.clone())
        if got is None:
            return not_attempted("Fill in the body of `ns_grad_centre` in the cell above")
        got = as_tensor(got, "ns_grad_centre(...)")
        k, dim = u_neg.shape
        where = f"With D = {dim} and K = {k}"
        require(
            got.shape != (k, dim),
            f"{where} your gradient has one row per noise word, shape {(k, dim)}: sum them and "
            f"add the true word's term, giving shape ({dim},)",
        )
        expected = _reference_gradient(v_c, u_o, u_neg)
        mismatch = compare_tensors(got, expected, "your gradient")
        if mismatch is None:
            continue
        if got.shape == expected.shape:
            for answer, mistake in _gradient_mistakes(v_c, u_o, u_neg):
                require(not torch.allclose(got, answer, rtol=1e-5, atol=1e-7), mistake)
        return wrong(f"{where}: {mismatch.message}")
    return correct(
        "your gradient matches on all three cases. A step of -lr times it is exactly what "
        "negative_sampling_step adds to h: -sigma(-u_o.v_c) u_o pulls v_c towards the true "
        "word, and each + sigma(u_k.v_c) u_k pushes it away from a noise word, harder the more "
        "the model mistakes that noise word for a context word."
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
            "rows and columns are swapped: row c is the centre word, column o the context word",
        ),
        (
            best + log_k,
            f"every score is log K = {log_k:.4g} too high: each true pair comes with K noise "
            "draws, so the expected count of (c, o) as noise is K n_c P_n(o)",
        ),
        (best - log_k, f"every score is log K = {log_k:.4g} too low: divide by K, not multiply"),
        (
            best + log_k + torch.log(noise)[None, :],
            "that is log P(o | c), what the full softmax learns; negative sampling compares the "
            "true pairs with noise pairs, so divide by K P_n(o) as well",
        ),
        (
            torch.log(pair_counts / total / (centre_share * context_share)) - log_k,
            "that is the classic PMI minus log K, with the context words' own frequency; the "
            "noise words are drawn from P_n (count^0.75), so use `noise`",
        ),
        (
            torch.sigmoid(best),
            "those are probabilities sigma(x*); the exercise asks for the score x* itself",
        ),
        (best / math.log(2), "you used log base 2; sigma is built on e, so use the natural log"),
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
        return not_attempted("Write `shifted_pmi` in the cell above")
    require(callable(shifted_pmi), "shifted_pmi should be a function (def ...)")
    pairs = torch.as_tensor(pairs).long()
    counts = torch.as_tensor(counts, dtype=torch.float64)
    big = _pair_counts(pairs, len(counts))
    cases = [(*_small_pair_counts(), 3), (big, negative_sampling.noise_distribution(counts), k)]
    for pair_counts, noise, k_case in cases:
        got = shifted_pmi(pair_counts.clone(), noise.clone(), k_case)
        if got is None:
            return not_attempted("Fill in the body of `shifted_pmi` in the cell above")
        got = as_tensor(got, "shifted_pmi(...)")
        size = tuple(pair_counts.shape)
        where = f"With a {size} table and K = {k_case}"
        require(
            got.shape == size, f"{where} your x* has shape {tuple(got.shape)}; it should be {size}"
        )
        expected = _best_scores(pair_counts, noise, k_case)
        if tensors_close(got, expected, atol=1e-6, rtol=1e-5):
            continue
        for answer, mistake in _shifted_pmi_mistakes(pair_counts, noise, k_case):
            require(not tensors_close(got, answer, atol=1e-6, rtol=1e-5), f"{where}: {mistake}")
        seen = pair_counts > 0
        require(
            not torch.isnan(got[~seen]).any(),
            f"{where} your x* is nan where a pair never occurs: there log(0) = -inf, which "
            "is the right answer (do not divide 0 by 0)",
        )
        require(
            bool((got[~seen] == float("-inf")).all()),
            f"{where} a pair that never occurs gets a finite x*: nothing pulls its score up, "
            "only the noise pushes it down, so the best score is -inf (log 0)",
        )
        mismatch = compare_tensors(got[seen], expected[seen], "x* over the pairs that occur")
        return wrong(f"{where}: {mismatch.message}")
    verdict = "your x* is right on both tables."
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
    rare = ": rare pairs weigh little in the loss, so training leaves them further from x*"
    return correct(
        f"{verdict} On the model trained with K = {k}, weighting each pair by how often it "
        f"occurs, u_o.v_c correlates with x* at r = {r_best:.3f} (with log P(o | c) at "
        f"{r_log_p:.3f}) and is on average {gap:.2f} from it. Counting every pair once, "
        f"r = {r_plain:.3f}{rare if r_plain < r_best - 0.05 else ''}."
    )
