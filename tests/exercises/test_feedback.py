"""What a check says (ngram_helpers.exercises.feedback): one sentence, naming the difference."""

import inspect
from pathlib import Path

import pytest
import torch

import ngram_helpers
from ngram_helpers.exercises.feedback import (
    Feedback,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    wrong,
)


def test_feedback_reads_as_one_sentence():
    assert repr(not_attempted("Fill in `answer`")).startswith("… Not attempted yet: Fill in")
    assert isinstance(not_attempted("x"), Feedback)


def test_compare_tensors_names_the_difference():
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert compare_tensors(expected.clone(), expected, "grad") is None
    assert "shape (2,)" in compare_tensors(torch.zeros(2), expected, "grad").message
    assert "opposite sign" in compare_tensors(-expected, expected, "grad").message
    assert "factor: 2 times" in compare_tensors(2 * expected, expected, "grad").message
    off = expected + torch.tensor([[0.0, 0.0], [0.0, 1.0]])
    assert "at index (1, 1)" in compare_tensors(off, expected, "grad").message


# --- whose error: the learner's code, or the check's own ---------------------------------------


def learners_answer(x):
    """A learner's function with a bug: defined here, outside the package, as a notebook cell is."""
    return torch.ones(2, 3) @ torch.ones(2, 3)  # torch raises, inside the learner's frame


@checked
def check_calls_answer(answer, x: int = 1) -> Feedback:
    """A check that calls the learner's function."""
    return correct("fine") if answer(x) is not None else wrong("None")


def package_function(source: str, name: str):
    """The function ``name`` defined by ``source``, compiled as if it were a file of the package.

    A check's own lines live in ngram_helpers/; one defined in this file would count as the
    learner's code, as everything outside the package does.
    """
    filename = Path(ngram_helpers.__file__).parent / "exercises" / "broken_check.py"
    namespace = {"correct": correct}
    exec(compile(source, str(filename), "exec"), namespace)
    return namespace[name]


check_with_a_bug = checked(
    package_function(
        'def check_with_a_bug(answer):\n    return correct({}["missing"])\n', "check_with_a_bug"
    )
)


def test_an_error_in_the_learners_code_is_theirs():
    feedback = check_calls_answer(learners_answer)
    assert feedback.status == "wrong"
    assert feedback.message.startswith("your answer raised RuntimeError: ")


def test_an_error_in_the_check_itself_is_not_blamed_on_the_learner():
    feedback = check_with_a_bug(learners_answer)
    assert feedback.status == "broken" and not feedback.passed
    assert "your answer raised" not in feedback.message
    assert feedback.message.startswith("the check itself raised KeyError: 'missing'")
    assert repr(feedback).startswith("⚠ Check failed: ")


def test_debug_mode_lets_every_error_through(monkeypatch):
    monkeypatch.setenv("NGRAM_CHECK_DEBUG", "1")
    with pytest.raises(KeyError, match="missing"):
        check_with_a_bug(learners_answer)
    with pytest.raises(RuntimeError):
        check_calls_answer(learners_answer)
    assert check_calls_answer(lambda x: None).status == "wrong"  # no error: a sentence as usual


def test_a_checked_check_keeps_its_name_docstring_and_signature():
    assert check_calls_answer.__name__ == "check_calls_answer"
    assert check_calls_answer.__doc__ == "A check that calls the learner's function."
    assert list(inspect.signature(check_calls_answer).parameters) == ["answer", "x"]
