"""Small command-line conventions shared by ``ngram_helpers.train`` and ``ngram_helpers.sample``.

A learner who mistypes an argument or points at a broken file gets one line on stderr saying what
is wrong, and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class ArgumentParser(argparse.ArgumentParser):
    """``argparse`` that reports a bad argument in a single line (status 2)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def fail(error: Exception | str) -> int:
    """Print ``error`` as one line on stderr and return the exit status 2."""
    print(f"error: {error}", file=sys.stderr)
    return 2
