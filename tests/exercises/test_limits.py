"""A check gives up on a learner's function that never ends, and on an answer too big to read
whole, and says so (``exercises.limits``)."""

import itertools
import time

import pytest
import torch

from ngram_helpers.exercises import limits
from ngram_helpers.exercises import nb03_word_embeddings as nb03
from ngram_helpers.exercises import nb04_full_training_run as nb04
from ngram_helpers.exercises.feedback import Rejected, as_items, checked, correct
from ngram_helpers.exercises.limits import MOST_ITEMS, TooSlow, can_limit_time, time_limit

needs_alarm = pytest.mark.skipif(not can_limit_time(), reason="no alarm signal here")


@needs_alarm
def test_the_limit_stops_a_loop_that_never_ends():
    start = time.perf_counter()
    with pytest.raises(TooSlow), time_limit(0.2):
        while True:
            pass
    assert time.perf_counter() - start < 2


@needs_alarm
def test_a_learners_except_exception_cannot_swallow_it():
    def stubborn():
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # a learner's catch-all
                pass

    with pytest.raises(TooSlow), time_limit(0.1):
        stubborn()


@needs_alarm
def test_a_check_of_an_endless_function_is_one_not_yet(monkeypatch):
    monkeypatch.setattr(limits, "TIME_LIMIT", 0.2)

    @checked
    def check_loop(fn):
        fn()
        return correct("done")

    def endless():
        while True:
            pass

    feedback = check_loop(endless)
    assert feedback.status == "wrong" and "still running after 0.2 seconds" in feedback.message


def test_a_quick_check_is_untouched_and_leaves_no_alarm():
    @checked
    def check_fast(x):
        return correct(f"got {x}")

    assert check_fast(3).passed
    time.sleep(0.05)


# --- answers too big to read whole ------------------------------------------------------------


def test_an_endless_iterator_is_read_no_further_than_the_limit():
    with pytest.raises(Rejected) as refused:
        as_items(itertools.count(), "pairs")
    assert "pairs has more than 1,000,000 items" in refused.value.feedback.message


@pytest.mark.parametrize(
    "check, endless",
    [
        (nb03.check_skipgram_pairs, lambda words, window: itertools.repeat(("the", "man"))),
        (nb03.check_nearest, lambda vectors, query, k: itertools.count()),
    ],
)
def test_a_check_given_an_endless_iterator_says_so(check, endless):
    feedback = check(endless)
    assert feedback.status == "wrong" and "more than 1,000,000 items" in feedback.message


@pytest.mark.parametrize(
    "check, huge",
    [
        (nb03.check_nearest, lambda vectors, query, k: torch.zeros(MOST_ITEMS + 1, dtype=int)),
        (nb04.check_top_p, lambda probs, p: torch.zeros(MOST_ITEMS + 1)),
    ],
)
def test_a_check_given_a_huge_tensor_says_so(check, huge):
    feedback = check(huge)
    assert feedback.status == "wrong" and "more than 1,000,000 items" in feedback.message
