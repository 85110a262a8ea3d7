"""Shared fixtures: paths to the shipped dataset and the lesson's reference material, and the
helpers every exercise test uses (tests/exercises/test_nb0N_*.py)."""

import os
import re
from pathlib import Path

import pytest
import torch

# The stored notebook outputs, which nbval compares, are the CPU's; tests that use a GPU ask for
# it by name. Notebook kernels started by nbval inherit this too.
os.environ["NGRAM_DEVICE"] = "cpu"

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "datasets" / "names"
# the lesson's own split (SSA 2018) and the log of its full run: see datasets/README.md
LESSON = ROOT / "datasets" / "names-makemore-2018"
LESSON_LOG = LESSON / "lesson-run.log"
# one line of the reference log: step, train loss, val loss, learning rate
STEP = re.compile(r"step +(\d+) \| train_loss ([\d.]+) \| val_loss ([\d.]+) \| lr (\S+) \|")


@pytest.fixture(scope="session")
def names_data():
    from ngram_helpers.data import load_names

    return load_names(NAMES)


@pytest.fixture
def chinese():
    """The learner's language set to Chinese, with the series' style (and so its Chinese font)
    for the test's figures; a character drawn as a box (a missing glyph) fails the test. English
    and the previous style after."""
    import warnings

    import matplotlib

    from ngram_helpers.language import set_language
    from ngram_helpers.plots import use_series_style

    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        use_series_style()
        set_language("zh")
        try:
            yield
        finally:
            set_language("en")


@pytest.fixture
def agg():
    """Draw with the Agg backend (no window); close the figures and restore the style after."""
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    matplotlib.use("Agg")
    with matplotlib.rc_context():  # a test may change rcParams (use_series_style): undone here
        yield
    plt.close("all")
    matplotlib.use(backend)


@pytest.fixture
def one_thread():
    """Run on one torch thread, as the command line does; the caller's setting restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load_solution(stem: str):
    """The worked solutions of one notebook, ``solutions/<stem>.py``, as a module."""
    import importlib.util

    path = ROOT / "solutions" / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"solutions_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def one_thread_per_module():
    """``one_thread`` for a whole module, whose small trainings are shared between its tests."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --- exercise checks -------------------------------------------------------------------------


def assert_wrong(feedback, fragment: str) -> None:
    """``feedback`` is a "not yet" whose sentence contains ``fragment``."""
    from ngram_helpers.exercises.feedback import Feedback

    assert isinstance(feedback, Feedback)
    assert feedback.status == "wrong", feedback.message
    assert fragment in feedback.message, feedback.message


def assert_all_wrong(checks, answers) -> None:
    """Every check, given every one of ``answers``, answers "not yet" with a sentence (no raise)."""
    from ngram_helpers.exercises.feedback import Feedback

    for check in checks:
        for answer in answers:
            feedback = check(answer)
            assert isinstance(feedback, Feedback), (answer, feedback)
            assert feedback.status == "wrong", (answer, feedback.message)


def empty_function(*args, **kwargs):
    """An answer function as shipped: its body not yet written."""
    return None


def raises(*args, **kwargs):
    """An answer function with a bug in it."""
    raise RuntimeError("boom")
