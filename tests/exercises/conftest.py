"""What the exercise tests share beyond ``tests/conftest.py``: running a check in Chinese."""

import re

import pytest

from ngram_helpers.exercises.feedback import Feedback
from ngram_helpers.language import set_language

HAN = re.compile(r"[\u4e00-\u9fff]")
# four English words in a row, once code is set aside: a sentence left untranslated
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){3}\b")
CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\w+\([^()]*\)")


@pytest.fixture
def chinese():
    """Run the test with the checks speaking Chinese, and English again after it."""
    set_language("zh")
    yield
    set_language("en")


def assert_chinese(feedback: Feedback, status: str) -> None:
    """``feedback`` has ``status`` and is shown in Chinese, mark and sentence, no English left."""
    assert isinstance(feedback, Feedback), feedback
    shown = repr(feedback)
    assert feedback.status == status, shown
    assert HAN.search(shown.partition("：")[0]), f"the mark is not Chinese: {shown}"
    assert HAN.search(feedback.message), f"no Chinese in {shown}"
    left = ENGLISH.findall(CODE.sub(" ", feedback.message))
    assert not left, f"English left in {shown}: {left}"
