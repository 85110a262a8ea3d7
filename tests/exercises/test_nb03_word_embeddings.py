"""Notebook 03's exercises: each solution passes its check, typical mistakes get their sentence.

The checks are in ngram_helpers/exercises/nb03_word_embeddings.py, the worked solutions in
solutions/03_word_embeddings.py. Every object a check needs is built small here (made-up counts,
a few hundred random pairs); one test trains a character model briefly on part of the names to
confirm what exercise 3.5's verdict tells the learner.
"""

import math
import re

import pytest
import torch

from ngram_helpers import negative_sampling, word2vec
from ngram_helpers.exercises import nb03_word_embeddings as ex
from ngram_helpers.exercises.feedback import Feedback
from tests.conftest import assert_wrong, empty_function, load_solution, raises
from tests.exercises.conftest import assert_chinese

sol = load_solution("03_word_embeddings")
S = torch.sigmoid


def status_and_message(feedback: Feedback) -> tuple[str, str]:
    assert isinstance(feedback, Feedback)
    return feedback.status, feedback.message


# --- Exercise 3.1 · skip-gram pairs by hand ---------------------------------------------------


def pairs_within(words, reach):
    """(words[t], words[j]) for every t and every j in reach(t, len(words))."""
    return [(words[t], words[j]) for t in range(len(words)) for j in reach(t, len(words))]


def with_self(words, m):
    return pairs_within(words, lambda t, n: range(max(0, t - m), min(n, t + m + 1)))


def wrapping(words, m):
    return pairs_within(words, lambda t, n: [j for j in range(t - m, min(n, t + m + 1)) if j != t])


def short_on_the_right(words, m):
    return pairs_within(
        words, lambda t, n: [j for j in range(max(0, t - m), min(n, t + m)) if j != t]
    )


def right_only(words, m):
    return pairs_within(words, lambda t, n: range(t + 1, min(n, t + m + 1)))


def test_3_1_solution_passes():
    assert ex.check_skipgram_pairs(sol.skipgram_pairs).status == "correct"


def test_3_1_pairs_in_another_order_pass():
    assert ex.check_skipgram_pairs(lambda w, m: sol.skipgram_pairs(w, m)[::-1]).passed


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (with_self, "paired with itself"),
        (wrapping, "negative index"),
        (short_on_the_right, "one short on the right"),
        (right_only, "only looked to the right"),
        (lambda w, m: list(set(sol.skipgram_pairs(w, m))), "keep repeats"),
        (lambda w, m: [(w[i], w[i + 1]) for i in range(len(w) + 1)], "IndexError"),
        (lambda w, m: [(0, 1)], "not their positions"),
    ],
    ids=["self", "wrap", "off-by-one", "one-sided", "deduplicated", "no-clip", "positions"],
)
def test_3_1_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_skipgram_pairs(answer), fragment)


def test_3_1_empty():
    assert ex.check_skipgram_pairs(None).status == "empty"
    assert ex.check_skipgram_pairs(empty_function).status == "empty"


# --- Exercise 3.2 · nearest neighbours by cosine ----------------------------------------------


def by_dot_product(vectors, query, k):
    scores = vectors @ vectors[query]
    scores[query] = -math.inf
    return scores.topk(k).indices.tolist()


def by_distance(vectors, query, k):
    distances = (vectors - vectors[query]).norm(dim=1)
    distances[query] = math.inf
    return distances.topk(k, largest=False).indices.tolist()


def including_query(vectors, query, k):
    unit = torch.nn.functional.normalize(vectors, dim=1)
    return (unit @ unit[query]).topk(k).indices.tolist()


def test_3_2_solution_passes():
    assert ex.check_nearest(sol.nearest).status == "correct"


def test_3_2_a_tensor_of_indices_passes():
    assert ex.check_nearest(lambda v, q, k: torch.tensor(sol.nearest(v, q, k))).passed


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (by_dot_product, "dot product"),
        (by_distance, "Euclidean distance"),
        (including_query, "the query itself"),
        (lambda v, q, k: sol.nearest(v, q, k)[::-1], "least similar first"),
        (lambda v, q, k: sol.nearest(v, q, k + 1), "it should be k"),
        (lambda v, q, k: [(i, 0.5) for i in sol.nearest(v, q, k)], "just the indices"),
    ],
    ids=["dot", "distance", "query", "reversed", "length", "pairs"],
)
def test_3_2_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_nearest(answer), fragment)


def test_3_2_empty():
    assert ex.check_nearest(None).status == "empty"
    assert ex.check_nearest(empty_function).status == "empty"


# --- Exercise 3.3 · where the noise draws go --------------------------------------------------

# Zipf-like counts of 2,000 words, in a scrambled order, like a vocabulary that is not sorted
ZIPF = (2000.0 / torch.arange(1, 2001)).round() + 1
COUNTS = ZIPF[torch.randperm(2000, generator=torch.Generator().manual_seed(0))]
GUESSES = {1.0: 0.2, 0.75: 0.1, 0.0: 0.005}


def check_shares(answer, predicted=GUESSES):
    return ex.check_noise_shares(answer, predicted, COUNTS)


def drawn(counts, power, draws, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.multinomial(counts**power, draws, replacement=True, generator=generator)


def first_entries(counts, power, top=10, draws=100_000, seed=0):
    return (drawn(counts, power, draws, seed) < top).double().mean().item()


def rarest(counts, power, top=10, draws=100_000, seed=0):
    rows = torch.topk(counts, top, largest=False).indices
    return torch.isin(drawn(counts, power, draws, seed), rows).double().mean().item()


def test_3_3_solution_passes_and_puts_the_guesses_beside_the_measurements():
    status, message = status_and_message(check_shares(sol.top_share, sol.predicted))
    assert status == "correct", message
    assert "you guessed 0.0300" in message and "10 / 2,000" in message


def exact(counts, power, top=10, draws=100_000, seed=0):
    """The probability itself, computed instead of measured."""
    noise = negative_sampling.noise_distribution(counts, power)
    return noise[torch.topk(counts, top).indices].sum()


def test_3_3_other_seeds_pass():
    for seed in (1, 2, 3):
        assert check_shares(
            lambda c, p, top, draws, seed: sol.top_share(c, p, top, draws, 7 + seed)
        ).passed


def test_3_3_without_guesses_the_measurements_stay_hidden():
    feedback = check_shares(sol.top_share, {1.0: None, 0.75: None, 0.0: None})
    assert feedback.status == "empty" and "write your three guesses" in feedback.message


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (first_entries, "first 10 entries"),
        (rarest, "RAREST"),
        (lambda c, p, top, draws, seed: sol.top_share(c, 0.75, top, draws, seed), "power 0.75"),
        (lambda c, p, top, draws, seed: sol.top_share(c, 1.0, top, draws, seed), "power 1:"),
        (lambda c, p, top, draws, seed: sol.top_share(c, p, top + 1, draws, seed), "11 most"),
        (
            lambda c, p, top, draws, seed: sol.top_share(c, p, top, draws, seed) * draws,
            "divided by",
        ),
        (lambda c, p, top, draws, seed: sol.top_share(c, p, top, 500, seed), "exactly `draws`"),
        (exact, "exactly `draws`"),
        (lambda c, p, top, draws, seed: 0.5, "beyond the sampling noise"),
    ],
    ids=[
        "first-entries",
        "rarest",
        "fixed-power",
        "unigram",
        "off-by-one",
        "count",
        "few-draws",
        "exact",
        "constant",
    ],
)
def test_3_3_typical_mistakes_are_named(answer, fragment):
    assert_wrong(check_shares(answer), fragment)


@pytest.mark.parametrize(
    "predicted, fragment",
    [
        ("0.03", "should be a dict"),
        ({1.0: 0.03}, "no guess for power 0.75"),
        ({1.0: "a", 0.75: 0.1, 0.0: 0.0}, "should be a number"),
        ({1.0: 3, 0.75: 0.1, 0.0: 0.0}, "between 0 and 1"),
    ],
    ids=["not-a-dict", "missing", "not-a-number", "not-a-share"],
)
def test_3_3_malformed_guesses_are_named(predicted, fragment):
    assert_wrong(check_shares(sol.top_share, predicted), fragment)


def test_3_3_empty():
    assert check_shares(None).status == "empty"
    assert check_shares(empty_function).status == "empty"


# --- Exercise 3.4 · the negative-sampling gradient --------------------------------------------


def test_3_4_solution_passes():
    assert ex.check_ns_gradient(sol.ns_grad_centre).status == "correct"


def test_3_4_solution_agrees_with_autograd():
    gen = torch.Generator().manual_seed(0)
    v_c, u_o = torch.randn(2, 6, generator=gen, dtype=torch.float64)
    u_neg = torch.randn(3, 6, generator=gen, dtype=torch.float64)
    leaf = v_c.clone().requires_grad_()
    logsigmoid = torch.nn.functional.logsigmoid
    loss = -logsigmoid(u_o @ leaf) - logsigmoid(-(u_neg @ leaf)).sum()
    (grad,) = torch.autograd.grad(loss, leaf)
    assert torch.allclose(sol.ns_grad_centre(v_c, u_o, u_neg), grad, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda v, uo, un: -sol.ns_grad_centre(v, uo, un), "opposite sign"),
        (lambda v, uo, un: -uo + un.sum(dim=0), "sigmoid factors are missing"),
        (lambda v, uo, un: -S(uo @ v) * uo + S(-(un @ v)) @ un, "swapped"),
        (lambda v, uo, un: -S(-(uo @ v)) * uo - S(un @ v) @ un, "noise words' terms"),
        (lambda v, uo, un: S(-(uo @ v)) * uo + S(un @ v) @ un, "true word's term has the wrong"),
        (lambda v, uo, un: -S(-(uo @ v)) * uo, "add one term per noise word"),
        (lambda v, uo, un: S(un @ v) @ un, "the true word u_o has one too"),
        (lambda v, uo, un: -S(-(uo @ v)) * uo + S(un @ v) @ un / len(un), "averaged"),
        (lambda v, uo, un: S(un @ v)[:, None] * un, "one row per noise word"),
    ],
    ids=[
        "sign",
        "no-sigmoid",
        "swapped",
        "noise-sign",
        "true-sign",
        "no-noise",
        "no-true",
        "mean",
        "rows",
    ],
)
def test_3_4_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_ns_gradient(answer), fragment)


def test_3_4_empty():
    assert ex.check_ns_gradient(None).status == "empty"
    assert ex.check_ns_gradient(empty_function).status == "empty"


# --- Exercise 3.5 · what negative sampling fits -----------------------------------------------

V = 6
PAIRS = torch.randint(0, V, (400, 2), generator=torch.Generator().manual_seed(0))
CENTRE_COUNTS = torch.bincount(PAIRS[:, 0], minlength=V).double()


def check_pmi(answer, **kwargs):
    return ex.check_shifted_pmi(answer, PAIRS, CENTRE_COUNTS, 5, **kwargs)


def test_3_5_solution_passes():
    assert check_pmi(sol.shifted_pmi).status == "correct"


def test_3_5_with_a_model_the_verdict_measures_it():
    trained = (torch.randn(V, 3), torch.randn(V, 3))
    status, message = status_and_message(check_pmi(sol.shifted_pmi, trained=trained))
    assert status == "correct"
    assert "correlates with x* at r =" in message


def log_p(pair_counts, noise, k):
    return torch.log(pair_counts / pair_counts.sum(dim=1, keepdim=True))


def classic_pmi(pair_counts, noise, k):
    total = pair_counts.sum()
    centre, context = pair_counts.sum(dim=1, keepdim=True), pair_counts.sum(dim=0)
    return torch.log(pair_counts * total / (centre * context)) - math.log(k)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda pc, n, k: sol.shifted_pmi(pc, n, k).T, "rows and columns are swapped"),
        (lambda pc, n, k: sol.shifted_pmi(pc, n, k) + math.log(k), "too high"),
        (log_p, "log P(o | c)"),
        (classic_pmi, "classic PMI"),
        (lambda pc, n, k: torch.sigmoid(sol.shifted_pmi(pc, n, k)), "probabilities"),
        (lambda pc, n, k: sol.shifted_pmi(pc, n, k) / math.log(2), "log base 2"),
        (lambda pc, n, k: torch.log((pc + 1) / (k * pc.sum(1, keepdim=True) * n)), "finite x*"),
        (lambda pc, n, k: sol.shifted_pmi(pc, n, k)[:-1], "it should be (5, 5)"),
    ],
    ids=["transposed", "no-log-k", "log-p", "pmi", "sigmoid", "log2", "smoothed", "shape"],
)
def test_3_5_typical_mistakes_are_named(answer, fragment):
    assert_wrong(check_pmi(answer), fragment)


def test_3_5_empty():
    assert check_pmi(None).status == "empty"
    assert check_pmi(empty_function).status == "empty"


def test_3_5_a_trained_character_model_follows_x_star_more_than_log_p(names_data, one_thread):
    """The claim exercise 3.5's verdict makes, on a short run over part of the names."""
    tok = names_data.tokenizer
    names = [tok.encode(name) for name in names_data.names("train")[:6000]]
    centres, contexts = word2vec.padded_windows(names, window=2, pad=tok.end_token)
    pairs = word2vec.windows_to_pairs(centres, contexts)
    counts = torch.bincount(centres, minlength=tok.vocab_size).double()
    table = negative_sampling.noise_table(counts)
    gen = torch.Generator().manual_seed(0)
    v = (torch.rand(tok.vocab_size, 16, generator=gen) - 0.5) / 16
    u = torch.zeros(tok.vocab_size, 16)
    for _ in range(3):
        shuffled = pairs[torch.randperm(len(pairs), generator=gen)]
        for start in range(0, len(shuffled), 1024):
            c, o = shuffled[start : start + 1024].T
            negatives = table[torch.randint(len(table), (len(c), 5), generator=gen)]
            outputs, sign = negative_sampling.output_words(o, negatives)
            step, _ = negative_sampling.negative_sampling_step(u, v[c], outputs, sign, 0.003)
            v.index_add_(0, c, step)
    message = ex.check_shifted_pmi(sol.shifted_pmi, pairs, counts, 5, trained=(v, u)).message
    found = re.search(r"x\* at r = (-?[\d.]+) \(with log P\(o \| c\) at (-?[\d.]+)\)", message)
    assert found, message
    r_best, r_log_p = (float(r) for r in found.groups())
    assert r_best > r_log_p > 0, message


# --- every checker, given garbage -------------------------------------------------------------

CHECKS = [
    lambda answer: ex.check_skipgram_pairs(answer),
    lambda answer: ex.check_nearest(answer),
    lambda answer: check_shares(answer),
    lambda answer: ex.check_ns_gradient(answer),
    lambda answer: check_pmi(answer),
]


@pytest.mark.parametrize("check", CHECKS, ids=["3.1", "3.2", "3.3", "3.4", "3.5"])
@pytest.mark.parametrize(
    "garbage",
    ["a string", raises, lambda *args: "a string", lambda *args: 42, lambda *args: [[1, 2]]],
    ids=["string", "raises", "returns-string", "returns-int", "returns-list"],
)
def test_a_check_given_garbage_answers_with_feedback(check, garbage):
    feedback = check(garbage)
    assert isinstance(feedback, Feedback)
    assert feedback.status == "wrong", feedback.message


def test_in_chinese_each_check_says_not_attempted_and_correct_in_chinese(chinese):
    checks = [
        (ex.check_skipgram_pairs, sol.skipgram_pairs),
        (ex.check_nearest, sol.nearest),
        (lambda answer: check_shares(answer, sol.predicted), sol.top_share),
        (ex.check_ns_gradient, sol.ns_grad_centre),
        (check_pmi, sol.shifted_pmi),
    ]
    for check, answer in checks:
        assert_chinese(check(None), "empty")
        assert_chinese(check(answer), "correct")
    trained = (torch.randn(V, 3), torch.randn(V, 3))
    assert_chinese(check_pmi(sol.shifted_pmi, trained=trained), "correct")
