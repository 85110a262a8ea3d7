"""Shared fixtures: paths to the shipped dataset and the lesson's reference material."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "datasets" / "names"
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def names_data():
    from ngram_helpers.data import load_names

    return load_names(NAMES)


@pytest.fixture
def reference_dir():
    """The lesson's 2018 split and run log; tests that need them skip where they are absent."""
    if not (REFERENCE / "names-makemore-2018" / "train.txt").is_file():
        pytest.skip(f"reference material not found at {REFERENCE}")
    return REFERENCE
