"""The language of the words a learner reads: English (the default) or Chinese.

The series has two editions, English and Chinese, that run the same code. The words that code
shows a learner (an exercise's feedback, a widget's labels, a checkpoint's error) follow one
switch: the Chinese notebooks call ``set_language("zh")`` in their first code cell, and from then
on those words are Chinese.

A message is written once, with both its languages side by side where it is said::

    say(f"step {best} of {n_steps}", f"第 {best} 步（共 {n_steps} 步）")

so that a reader of the code sees what either edition's learner reads, and whoever edits the
English sentence finds the Chinese one beside it. ``tests/test_language.py`` fails on a message
left without its Chinese, and on a Chinese message that drops a value its English one shows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

LANGUAGES = ("en", "zh")

_language = "en"


def set_language(code: str) -> None:
    """Show messages in ``code``'s language from now on: "en" (English) or "zh" (Chinese)."""
    global _language
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}: choose one of {', '.join(LANGUAGES)}")
    _language = code


def current_language() -> str:
    """The code of the language messages are shown in: "en" or "zh"."""
    return _language


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Messages in ``code``'s language inside the block, the previous language after it (the
    book's export writes a widget's words for both editions)."""
    before = _language
    set_language(code)
    try:
        yield
    finally:
        set_language(before)


def say(en: str, zh: str) -> str:
    """The message in the current language: ``en`` in English, ``zh`` in Chinese."""
    return zh if _language == "zh" else en


def columns(text: str) -> int:
    """How many columns ``text`` takes in a fixed-width font: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` filled with spaces to ``width`` columns, on the right ("<") or the left (">").

    Python's ``f"{text:10}"`` counts characters, so a Chinese heading ends up as many columns
    too wide as it has characters; this counts columns, and the printed table lines up.
    """
    fill = " " * max(width - columns(text), 0)
    return text + fill if align == "<" else fill + text
