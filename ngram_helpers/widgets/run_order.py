"""A hint for a cell run out of order: what to run first, instead of a bare ``NameError``.

Each notebook builds up its names from the top: the first cell imports the package, later cells
define the data, the model, the sampler. A learner who opens a notebook and runs one cell in the
middle (the sampler, the training cell, an exercise's check) meets ``NameError: name 'data' is
not defined``, which says what is missing but not what to do. The series' Jupyter kernel
(``make lab`` registers it) runs ``tools/kernel_startup.py`` when it starts, which calls
``explain_name_errors``: a ``NameError`` then shows as its one line, followed by what to run first,
in English and in Chinese (the kernel does not know which edition is open).

A misspelt name gives a ``NameError`` too, so the hint says "if a cell above defines it".
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

HINT = (
    "If a cell above defines it, run the cells above this one first "
    "(Run → Run All Above Selected Cell): each notebook runs from the top.\n"
    "如果它是在上面的单元格里定义的，请先运行本单元格之上的所有单元格"
    "（Run → Run All Above Selected Cell）：笔记本要从头开始运行。"
)


def show_name_error(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> None:
    """IPython's handler for a ``NameError``: its one line, then ``HINT``."""
    shell.showtraceback((etype, value, tb), exception_only=True)
    print(HINT, file=sys.stderr)


def explain_name_errors(shell: Any | None = None) -> bool:
    """Make ``shell`` (the running IPython, by default) answer a ``NameError`` with ``HINT``.

    Returns whether there was an IPython shell to set up (in plain Python there is none).
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((NameError,), show_name_error)
    return True
