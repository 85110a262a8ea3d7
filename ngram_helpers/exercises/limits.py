"""How long a check waits for a learner's code, and how much of an answer it reads (all notebooks).

A learner's function can loop forever. A check must not hang the notebook because of it: it gives
up after ``TIME_LIMIT`` seconds, with a sentence saying so (``feedback.checked``).

The time limit is an alarm signal (``signal.setitimer``): Python stops the running code at its
next bytecode instruction, even inside ``while True: pass``. It works where Jupyter runs a cell,
the main thread of a Unix process; on Windows, and in other threads, checks have no time limit,
and the interrupt button stops them as before. The slowest check of the series takes about two
seconds on a laptop CPU, so the limit only ever stops code that would not have finished.

An answer can be too big as well: an endless generator, or a tensor of millions of numbers where
a check expects a handful. Read whole, either would fill the computer's memory before the time
limit could help (``list()`` of an endless iterator runs inside C, where no alarm reaches it). A
check reads at most ``MOST_ITEMS`` items of an answer (``feedback.as_items``, ``as_tensor``); no
exercise needs a hundredth of that.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TIME_LIMIT = 60  # seconds a check waits for the learner's code
MOST_ITEMS = 1_000_000  # items of one answer a check reads at most


class TooSlow(BaseException):
    """The learner's code was still running when the time limit passed.

    A ``BaseException``, as Ctrl-C is, so that a learner's ``except Exception`` cannot swallow it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def can_limit_time() -> bool:
    """Whether ``time_limit`` can stop code here: a Unix alarm, in the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise ``TooSlow`` in the block once ``seconds`` have passed (where ``can_limit_time``)."""
    seconds = TIME_LIMIT if seconds is None else seconds  # read now: a test may change it
    if not can_limit_time():
        yield
        return

    def alarm(signum, frame):
        raise TooSlow(seconds)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
