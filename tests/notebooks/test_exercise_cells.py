"""Every notebook's exercises have the same shape: a task, an answer cell, a check cell.

The task is a markdown cell tagged ``exercise`` that names its solution file; the answer cell
(tagged ``answer``) ships empty and runs; the check cell (tagged ``check``) calls a checker whose
stored output says the exercise has not been attempted yet. Each notebook has five, and both
READMEs count them.
"""

import json
import re

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


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
def test_each_notebook_has_five_exercises_of_the_same_shape(notebook):
    found = exercises(notebook)
    assert len(found) == 5, f"{notebook.name} has {len(found)} exercises"
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


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_the_readmes_count_each_notebooks_exercises(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        number = notebook.stem[:2]
        row = re.search(rf"^\| {number} \|.*\| (\d+) \|$", text, re.MULTILINE)
        assert row, f"{readme}: no row for notebook {number} ending in its exercise count"
        assert int(row.group(1)) == len(exercises(notebook)), f"{readme}: notebook {number}"
