"""Every stored notebook is in the form ``make notebooks`` writes: a plain JupyterLab save is not.

A notebook saved from JupyterLab carries the widget state (random ids), split printouts and,
after cells were run out of order, execution counts out of sequence. ``tools/run_notebooks.py``
removes that noise; these tests fail when a stored notebook is not already in its normalised
form, and say how to fix it.
"""

import nbformat
import pytest

from tests.conftest import ROOT
from tools.run_notebooks import normalise

STORED = sorted((ROOT / "notebooks").glob("0*.ipynb")) + sorted(
    (ROOT / "notebooks" / "zh").glob("0*.ipynb")
)
FIX = "re-run `make notebooks NB=notebooks/<name>.ipynb` (then `make zh`) instead of saving"


@pytest.mark.parametrize("path", STORED, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_the_stored_notebook_is_already_normalised(path):
    text = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    normalise(notebook)
    assert nbformat.writes(notebook) + "\n" == text, f"{path.name} is not normalised: {FIX}"


@pytest.mark.parametrize("path", STORED, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_cells_were_run_once_from_the_top(path):
    notebook = nbformat.read(path, as_version=4)
    counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: cells run out of order: {FIX}"
    assert "version" not in notebook.metadata.get("language_info", {}), FIX
