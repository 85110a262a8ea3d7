"""A check gives up on a learner's function that never ends, and says so (``exercises.limits``)."""

import time

import pytest

from ngram_helpers.exercises import limits
from ngram_helpers.exercises.feedback import checked, correct
from ngram_helpers.exercises.limits import TooSlow, can_limit_time, time_limit

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
