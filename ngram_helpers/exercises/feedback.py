"""What an exercise's check tells a learner: right, not yet (and what is wrong), or not tried (all).

Every exercise of the series ends with a check cell that calls a checker from one of the
``nb0N_*`` modules beside this one. A checker returns a ``Feedback``; the notebook shows its one
sentence, in the learner's language (``ngram_helpers.language``: each message is written as
``say(english, chinese)``).
A checker never raises, whatever the learner wrote: an answer left empty (``None``, or a
function that still returns ``None``) is "not attempted yet", and an answer that raises (even
``sys.exit()``) or has the wrong type is reported as a sentence too, so Restart-and-Run-All
stays clean. Only Ctrl-C (the interrupt button) goes through, to stop a check that runs too
long. A check never changes torch's global random generator.

A check can have a bug of its own (a library it calls may change, say). ``checked`` tells the
two apart by where the error was raised (``raised_by_learner``): an error that passed through
the learner's code is "your answer raised ...", any other one is reported as the check's own
failure, which says the answer may well be right and asks for a bug report.

Maintainers: set the environment variable ``NGRAM_CHECK_DEBUG=1`` and every error raised inside
a check propagates with its full traceback instead of becoming a sentence.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import site
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import torch

from ngram_helpers.exercises.limits import MOST_ITEMS, TooSlow, time_limit
from ngram_helpers.language import say


def mark(status: str) -> str:
    """How a verdict starts, in the learner's language: "✓ Correct" for "correct", and so on."""
    return {
        "correct": say("✓ Correct", "✓ 正确"),
        "wrong": say("✗ Not yet", "✗ 还不对"),
        "empty": say("… Not attempted yet", "… 尚未作答"),
        "broken": say("⚠ Check failed", "⚠ 检查出错"),
    }[status]


@dataclass(frozen=True)
class Feedback:
    """The verdict of one check: ``status`` is "correct", "wrong", "empty" or "broken".

    "broken" means the check itself failed, so it says nothing about the answer.
    """

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:  # what a notebook cell shows
        return f"{mark(self.status)}{say(': ', '：')}{self.message}"


def correct(message: str) -> Feedback:
    return Feedback("correct", message)


def wrong(message: str) -> Feedback:
    return Feedback("wrong", message)


def not_attempted(what: str) -> Feedback:
    """The answer is still empty: ``what`` says what to fill in."""
    return Feedback(
        "empty", say(f"{what}, then run this cell again.", f"{what}，然后再运行本单元格。")
    )


class Rejected(Exception):
    """Raised inside a checker to stop at the first problem; ``checked`` turns it into Feedback."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(feedback.message)
        self.feedback = feedback


def too_slow(late: TooSlow) -> Feedback:
    """A "not yet" for learner's code still running when the check's time limit passed."""
    return wrong(
        say(
            f"your answer was still running after {late.seconds:g} seconds, so the check gave "
            "up: does a loop in it never end?",
            f"你的答案运行了 {late.seconds:g} 秒仍未结束，检查只好放弃："
            "其中是不是有一个永远不会结束的循环？",
        )
    )


def check_failed(err: BaseException) -> Feedback:
    """The check's own ``err``, not the learner's: say so, and that the answer may be right."""
    return Feedback(
        "broken",
        say(
            f"the check itself raised {describe_error(err)}; your answer may well be right. This "
            "is a bug in the check: please report it on the course's issue tracker, with this "
            "message (run with NGRAM_CHECK_DEBUG=1 for the traceback)",
            f"检查本身出错了（{describe_error(err)}），你的答案很可能是对的。这是检查代码的缺陷："
            "请把这条消息报告到本课程的问题跟踪页（设置 NGRAM_CHECK_DEBUG=1 可以看到完整的回溯）",
        ),
    )


def learner_raised(err: BaseException) -> Feedback:
    """A "not yet" for an error raised while the learner's code ran."""
    if isinstance(err, SystemExit):
        return wrong(
            say(
                f"your answer called sys.exit() or exit() ({describe_error(err)}), which ends the "
                "program; a function should return its result instead",
                f"你的答案调用了 sys.exit() 或 exit()（{describe_error(err)}），它会结束整个程序；"
                "函数应当用 return 返回结果",
            )
        )
    return wrong(
        say(f"your answer raised {describe_error(err)}", f"你的答案抛出了 {describe_error(err)}")
    )


MAX_MESSAGE = 300  # characters of an error's first line that a sentence quotes


def describe_error(err: BaseException) -> str:
    """``"Type: first line of its message"``, whatever the error is.

    Only the first line is kept (torch's messages can run to dozens), cut at ``MAX_MESSAGE``
    characters; " …" marks what was left out. An error whose message cannot even be made
    (its ``__str__`` raises) is named by its type alone, and says so.
    """
    name = type(err).__name__
    try:
        text = str(err)
    except BaseException as broken:
        if _is_interrupt(broken):
            raise
        return say(
            f"{name} (whose message could not be shown: making it raised {type(broken).__name__})",
            f"{name}（它的消息无法显示：生成消息时抛出了 {type(broken).__name__}）",
        )
    lines = text.strip().splitlines()
    if not lines:
        return name
    first = lines[0]
    cut = len(lines) > 1 or len(first) > MAX_MESSAGE
    return f"{name}: {first[:MAX_MESSAGE]}{' …' if cut else ''}"


def _is_interrupt(err: BaseException) -> bool:
    """Whether ``err`` is Ctrl-C (Jupyter's interrupt button), alone or in an exception group."""
    if isinstance(err, BaseExceptionGroup):
        return err.subgroup(KeyboardInterrupt) is not None
    return isinstance(err, KeyboardInterrupt)


@functools.cache
def _library_folders() -> tuple[Path, ...]:
    """The folders whose code is never the learner's: this package and the installed libraries.

    The libraries are the standard library and every site-packages folder (torch, numpy,
    IPython...). Not the whole of ``sys.prefix``: a project may keep its virtual environment in
    its own root folder, and then the notebooks lie inside the prefix too.
    """
    paths = sysconfig.get_paths()
    folders = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    folders += [*site.getsitepackages(), site.getusersitepackages()]
    package = Path(__file__).resolve().parent.parent  # ngram_helpers/
    return (package, *(Path(folder).resolve() for folder in folders))


def _is_learners(filename: str) -> bool:
    """Whether code from the file ``filename`` is the learner's (see ``raised_by_learner``)."""
    if filename.startswith("<"):  # no file: a classic IPython cell, or code Python generated
        return filename.startswith("<ipython-input-")
    path = Path(filename).resolve()
    return not any(path.is_relative_to(folder) for folder in _library_folders())


def raised_by_learner(err: BaseException) -> bool:
    """Whether ``err`` was raised while the learner's code ran: some frame of it is theirs.

    A frame is the learner's when its file lies neither in the ``ngram_helpers`` package nor in
    an installed library (the standard library, site-packages): a notebook cell
    (``/tmp/ipykernel_.../....py``, ``<ipython-input-...>``), ``solutions/*.py`` or a test file.
    Names in angle brackets other than IPython's are code Python made (``<frozen ...>``, the
    ``<string>`` of a dataclass's ``__init__``), not the learner's.

    The whole traceback counts, not only its last frame: a shape error that torch raises inside
    the learner's function passed through the learner's frame, so it is the learner's. An error
    with no learner frame came from the check's own lines (or from a library it called).
    """
    frame = err.__traceback__
    while frame is not None:
        if _is_learners(frame.tb_frame.f_code.co_filename):
            return True
        frame = frame.tb_next
    return False


def checked(checker: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Make ``checker`` total: a ``Rejected`` or any error becomes Feedback, never a raise.

    An error that passed through the learner's code is "your answer raised ..."; any other one
    is the check's own bug (``check_failed``), which must not be blamed on the learner. "Any
    error" includes ``SystemExit`` (a learner's ``sys.exit()``) and every other
    ``BaseException``, except Ctrl-C: ``KeyboardInterrupt`` (Jupyter's interrupt button) still
    stops the cell. A check gives up after ``limits.TIME_LIMIT`` seconds (a learner's function
    that loops forever), with a sentence saying so.

    A check leaves torch's global random generator as it found it, whatever the check or the
    learner's code drew from it (``torch_rng_kept``). With ``NGRAM_CHECK_DEBUG=1`` in the
    environment, errors propagate instead, for maintainers. The wrapped check keeps its name,
    docstring and signature (``help``, ``check?`` in Jupyter).
    """

    @functools.wraps(checker)
    def run(*args, **kwargs) -> Feedback:
        with torch_rng_kept():
            try:
                with time_limit():
                    return _verdict(checker, args, kwargs)
            except TooSlow as late:  # the alarm can ring between two lines of _verdict too
                return too_slow(late)

    return run


def _verdict(checker: Callable[..., Feedback], args: tuple, kwargs: dict) -> Feedback:
    """What ``checker(*args, **kwargs)`` says, with every error but Ctrl-C turned into Feedback."""
    try:
        return checker(*args, **kwargs)
    except Rejected as stop:
        return stop.feedback
    except TooSlow as late:
        return too_slow(late)
    except BaseException as err:
        if _is_interrupt(err) or os.environ.get("NGRAM_CHECK_DEBUG") == "1":
            raise
        if raised_by_learner(err):
            return learner_raised(err)
        return check_failed(err)


@contextmanager
def torch_rng_kept() -> Iterator[None]:
    """Run the block, then put torch's global (CPU) random generator back as it was."""
    state = torch.random.get_rng_state()
    try:
        yield
    finally:
        torch.random.set_rng_state(state)


def require(condition: bool, message: str) -> None:
    """Stop the check with ``message`` (a "not yet") unless ``condition`` holds."""
    if not condition:
        raise Rejected(wrong(message))


def too_many(name: str) -> Rejected:
    """The "not yet" for an answer with more than ``MOST_ITEMS`` items (an endless one, say)."""
    return Rejected(
        wrong(
            say(
                f"{name} has more than {MOST_ITEMS:,d} items (an endless loop or generator?); "
                "the check reads no further",
                f"{name} 的元素多于 {MOST_ITEMS:,d} 个（是不是无尽的循环或生成器？），"
                "检查不再往下读",
            )
        )
    )


def as_items(value: Iterable, name: str) -> list:
    """The items of ``value`` as a list (a tensor's as Python numbers), reading at most
    ``MOST_ITEMS`` of them (see ``limits``), or a "not yet" when there are more."""
    if isinstance(value, torch.Tensor):
        if value.numel() > MOST_ITEMS:
            raise too_many(name)
        return value.tolist()
    items = list(itertools.islice(value, MOST_ITEMS + 1))
    if len(items) > MOST_ITEMS:
        raise too_many(name)
    return items


def as_tensor(value: object, name: str) -> torch.Tensor:
    """``value`` as a float64 tensor, or a "not yet" naming what it should have been."""
    if isinstance(value, torch.Tensor) and value.numel() > MOST_ITEMS:
        raise too_many(name)
    if isinstance(value, list | tuple) and len(value) > MOST_ITEMS:
        raise too_many(name)
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        kind = type(value).__name__
        raise Rejected(
            wrong(
                say(
                    f"{name} should be a number or a tensor, not {kind}",
                    f"{name} 应当是一个数或一个张量，而不是 {kind}",
                )
            )
        ) from None


def as_number(value: object, name: str) -> float:
    """``value`` as one finite float, or a "not yet" saying what it should have been."""
    tensor = as_tensor(value, name)
    require(
        tensor.numel() == 1,
        say(
            f"{name} should be one number, not {tuple(tensor.shape)} of them",
            f"{name} 应当是一个数，而不是形状为 {tuple(tensor.shape)} 的一组数",
        ),
    )
    number = tensor.item()
    require(
        math.isfinite(number),
        say(
            f"{name} should be a finite number, not {number}",
            f"{name} 应当是有限的数，而不是 {number}",
        ),
    )
    return number


def as_whole_number(value: object, name: str) -> int:
    """``value`` as an int (a one-element integer tensor counts), or a "not yet" saying why not."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    require(
        isinstance(value, Integral) and not isinstance(value, bool),
        say(
            f"{name} should be a whole number (an int), not {type(value).__name__}",
            f"{name} 应当是整数（int），而不是 {type(value).__name__}",
        ),
    )
    return int(value)


def numbers_close(a: float, b: float, rel: float = 1e-9, abs_tol: float = 1e-12) -> bool:
    """Whether two floats agree to ``rel`` of their size (or ``abs_tol``, near zero)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def tensors_close(
    got: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float = 0.0
) -> bool:
    """Same shape and equal within ``atol + rtol * |expected|`` entry by entry (as float64).

    Infinities count as equal when they sit in the same places with the same sign.
    """
    return got.shape == expected.shape and bool(
        torch.allclose(got.double(), expected.double(), rtol=rtol, atol=atol)
    )


def compare_tensors(
    got: object, expected: torch.Tensor, name: str, *, atol: float = 1e-6
) -> Feedback | None:
    """None if ``got`` equals ``expected`` within ``atol``; else a sentence on how it differs.

    The sentence names the most telling difference: the shape, a sign, a constant factor (a
    forgotten mean or a doubled term), or else the largest difference and where it is.
    """
    value = as_tensor(got, name)
    expected = expected.to(torch.float64)
    if value.shape != expected.shape:
        return wrong(
            say(
                f"{name} has shape {tuple(value.shape)}; it should be {tuple(expected.shape)}",
                f"{name} 的形状是 {tuple(value.shape)}，应当是 {tuple(expected.shape)}",
            )
        )
    if not torch.isfinite(value).all():
        return wrong(say(f"{name} contains inf or nan", f"{name} 含有 inf 或 nan"))
    error = (value - expected).abs()
    if error.max() <= atol:
        return None
    if (value + expected).abs().max() <= atol:
        return wrong(
            say(
                f"{name} has the right size but the opposite sign everywhere",
                f"{name} 的大小对了，但处处符号相反",
            )
        )
    nonzero = expected.abs() > 1e-12
    if nonzero.any():
        ratios = value[nonzero] / expected[nonzero]
        ratio = ratios.mean().item()
        if (ratios - ratio).abs().max() < 1e-6 and abs(ratio - 1) > 1e-6:
            return wrong(
                say(
                    f"{name} is off by a constant factor: {ratio:.4g} times the right value",
                    f"{name} 差了一个常数倍：是正确值的 {ratio:.4g} 倍",
                )
            )
    where = tuple(int(i) for i in torch.unravel_index(error.argmax(), error.shape))
    at = say(f" at index {where}", f"（在下标 {where} 处）") if where else ""
    return wrong(
        say(
            f"{name} differs by up to {error.max().item():.3g}{at} (yours "
            f"{value[where].item():.6g}, expected {expected[where].item():.6g})",
            f"{name} 与正确值最多相差 {error.max().item():.3g}{at}（你的是 "
            f"{value[where].item():.6g}，应为 {expected[where].item():.6g}）",
        )
    )


def require_distribution(got: object, name: str, *, dim: int = -1) -> torch.Tensor:
    """``got`` as probabilities along ``dim``, or a "not yet" saying which rule they break."""
    probs = as_tensor(got, name)
    require(
        bool(torch.isfinite(probs).all()),
        say(f"{name} contains inf or nan", f"{name} 含有 inf 或 nan"),
    )
    require(
        bool((probs >= 0).all()),
        say(
            f"{name} has negative entries: probabilities are >= 0",
            f"{name} 有负的元素：概率都 >= 0",
        ),
    )
    sums = probs.sum(dim)
    worst = (sums - 1).abs().max().item() if sums.numel() else 0.0
    require(
        worst < 1e-6,
        say(
            f"{name} does not sum to 1 along dim {dim} (off by up to {worst:.3g})",
            f"{name} 沿维度 {dim} 的和不是 1（最多差 {worst:.3g}）",
        ),
    )
    return probs
