"""Every notebook's exercises have the same shape: a task, an answer cell, a check cell.

The task is a markdown cell tagged ``exercise`` that names its solution file; the answer cell
(tagged ``answer``) ships empty and runs; the check cell (tagged ``check``) calls a checker whose
stored output says the exercise has not been attempted yet. Each notebook has at least four.
"""

import json
import re

import pytest

from ngram_helpers.feedback import Feedback, compare_tensors, not_attempted
from tests.conftest import ROOT

# The notebooks whose exercises are written (each has its solutions file); the others have none yet.
NOTEBOOKS = [
    p
    for p in sorted((ROOT / "notebooks").glob("0*.ipynb"))
    if (ROOT / "solutions" / f"{p.stem}.py").exists()
]
ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def exercises(notebook):
    """(task, answer, check) cells of each exercise of ``notebook``."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        (cell, cells[i + 1], cells[i + 2])
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "markdown" and "exercise" in tags(cell)
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_has_four_exercises_of_the_same_shape(notebook):
    found = exercises(notebook)
    assert len(found) >= 4, f"{notebook.name} has {len(found)} exercises"
    for task, answer, check in found:
        text = "".join(task["source"])
        heading = text.splitlines()[0]
        assert re.match(r"### Exercise \d\.\d+ · ", heading), heading
        assert f"solutions/{notebook.stem}.py" in text, f"{heading}: name the solution file"
        assert answer["cell_type"] == "code" and "answer" in tags(answer), heading
        assert check["cell_type"] == "code" and "check" in tags(check), heading
        shown = "".join(
            "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            for out in check["outputs"]
        )
        assert "Not attempted yet" in shown, f"{heading}: the shipped check says {shown!r}"


def test_feedback_reads_as_one_sentence():
    assert repr(not_attempted("Fill in `answer`")).startswith("… Not attempted yet: Fill in")
    assert isinstance(not_attempted("x"), Feedback)


def test_compare_tensors_names_the_difference():
    import torch

    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert compare_tensors(expected.clone(), expected, "grad") is None
    assert "shape (2,)" in compare_tensors(torch.zeros(2), expected, "grad").message
    assert "opposite sign" in compare_tensors(-expected, expected, "grad").message
    assert "factor: 2 times" in compare_tensors(2 * expected, expected, "grad").message
    off = expected + torch.tensor([[0.0, 0.0], [0.0, 1.0]])
    assert "at index (1, 1)" in compare_tensors(off, expected, "grad").message


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_the_readmes_count_each_notebooks_exercises(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    for notebook in ALL_NOTEBOOKS:
        number = notebook.stem[:2]
        row = re.search(rf"^\| {number} \|.*\| (\d+) \|$", text, re.MULTILINE)
        assert row, f"{readme}: no row for notebook {number} ending in its exercise count"
        assert int(row.group(1)) == len(exercises(notebook)), f"{readme}: notebook {number}"
