"""What a check says (ngram_helpers.exercises.feedback): one sentence, naming the difference,
whatever the learner's code raises, and without touching the learner's random generator."""

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


# --- a check never raises (but Ctrl-C still stops it), and never moves torch's generator ------


class MessageRaises(Exception):
    """An error whose message cannot be made: ``str()`` of it raises."""

    def __str__(self) -> str:
        raise RuntimeError("no message")


class MessageExits(Exception):
    def __str__(self) -> str:
        raise SystemExit(1)


class LearnersBaseException(BaseException):
    pass


def raising(error: BaseException):
    """A learner's function that raises ``error`` (defined here: the learner's code)."""

    def answer(x):
        raise error

    return answer


@pytest.mark.parametrize(
    "error",
    [
        SystemExit(),
        SystemExit(3),
        SystemExit("done"),
        GeneratorExit(),
        LearnersBaseException("odd"),
        MessageRaises(),
        MessageExits(),
        ValueError("first line\n" + "more detail\n" * 40),
        ValueError("x" * 10_000),
        ValueError("\n\n  starts after blank lines\nthen more"),
        ValueError(""),
        BaseExceptionGroup("several", [ValueError("a"), SystemExit(2)]),
    ],
    ids=repr,
)
def test_whatever_the_learners_code_raises_the_check_answers_in_one_line(error):
    feedback = check_calls_answer(raising(error))
    assert feedback.status == "wrong" and isinstance(feedback.message, str)
    assert "\n" not in feedback.message and len(feedback.message) < 500
    assert feedback.message.startswith(
        "your answer called sys.exit()" if isinstance(error, SystemExit) else "your answer raised"
    )
    assert type(error).__name__ in feedback.message


def test_a_long_message_is_cut_to_its_first_line():
    feedback = check_calls_answer(raising(ValueError("shapes differ\n" + "frame\n" * 40)))
    assert feedback.message == "your answer raised ValueError: shapes differ …"
    assert check_calls_answer(raising(KeyError("k"))).message == "your answer raised KeyError: 'k'"
    unprintable = check_calls_answer(raising(MessageRaises())).message
    assert unprintable.startswith("your answer raised MessageRaises (whose message could not")


def test_the_checks_own_base_exception_is_its_own_bug():
    exits = checked(package_function("def exits(answer):\n    raise SystemExit(1)\n", "exits"))
    feedback = exits(learners_answer)
    assert feedback.status == "broken" and "SystemExit" in feedback.message


@pytest.mark.parametrize(
    "interrupt", [KeyboardInterrupt(), BaseExceptionGroup("g", [KeyboardInterrupt()])], ids=repr
)
def test_ctrl_c_still_stops_a_check(interrupt):
    """Jupyter's interrupt button must stop a check that runs too long, not become a verdict."""
    with pytest.raises(type(interrupt)):
        check_calls_answer(raising(interrupt))


def draws_from_torch(then: str):
    """A learner's function that draws from torch's global generator, then does ``then``."""

    def answer(x):
        torch.rand(5)
        if then == "raise":
            raise ValueError("bad")
        if then == "exit":
            raise SystemExit
        if then == "interrupt":
            raise KeyboardInterrupt
        return None if then == "none" else 1

    return answer


drawing_check = checked(
    package_function(
        "import torch\n"
        "def drawing_check(answer):\n"
        "    torch.randn(3)\n"  # the check's own draw
        "    return correct('fine') if answer(1) is not None else correct('none')\n",
        "drawing_check",
    )
)


@pytest.mark.parametrize("then", ["return", "none", "raise", "exit", "interrupt"])
@pytest.mark.parametrize("debug", [False, True])
def test_a_check_leaves_torchs_generator_as_it_found_it(monkeypatch, then, debug):
    if debug:
        monkeypatch.setenv("NGRAM_CHECK_DEBUG", "1")
    torch.manual_seed(123)
    expected = torch.rand(4)
    torch.manual_seed(123)
    for check in (check_calls_answer, drawing_check):
        try:
            check(draws_from_torch(then))
        except BaseException:  # debug mode and Ctrl-C let errors through
            pass
    assert torch.equal(torch.rand(4), expected)
