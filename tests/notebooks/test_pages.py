"""The stored notebooks read well where learners read them, on the web too: sizes and walls.

A learner opening a notebook on GitHub or nbviewer downloads all of it, and reads it without
running anything; a page of several megabytes loads slowly, and a wall of text or of printed
lines is skipped. These budgets keep the pages light and the cells short.
"""

import json

import pytest

from tests.conftest import ROOT

ENGLISH = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
CHINESE = sorted((ROOT / "notebooks" / "zh").glob("[0-9]*.ipynb"))
NOTEBOOK_BYTES = 700_000  # one notebook, outputs and pictures included
EDITION_BYTES = 1_600_000  # all notebooks of one edition together
MARKDOWN_CHARS = 1_200  # one explanation: longer ones are split or cut
LIST_CHARS = 1_800  # an exercise's task, or the self-test's list of questions
LISTS = {"exercise", "self-test"}
OUTPUT_LINES = 45  # a printout longer than this is summarised, the full table left in a file


@pytest.mark.parametrize("path", ENGLISH + CHINESE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_notebook_is_heavy(path):
    size = path.stat().st_size
    assert size <= NOTEBOOK_BYTES, f"{path.name} is {size:,} bytes (budget {NOTEBOOK_BYTES:,})"


@pytest.mark.parametrize("edition", [ENGLISH, CHINESE], ids=["English", "Chinese"])
def test_each_edition_is_light(edition):
    total = sum(path.stat().st_size for path in edition)
    assert total <= EDITION_BYTES, f"the edition is {total:,} bytes (budget {EDITION_BYTES:,})"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_no_wall_of_text_or_of_printed_lines(path):
    walls = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "markdown":
            tags = set(cell["metadata"].get("tags", []))
            limit = LIST_CHARS if tags & LISTS else MARKDOWN_CHARS
            length = len("".join(cell["source"]))
            if length > limit:
                walls.append(f"cell {index}: {length} characters of markdown (at most {limit})")
        for output in cell.get("outputs", []):
            lines = "".join(output.get("text", "")).count("\n")
            if lines > OUTPUT_LINES:
                walls.append(f"cell {index}: {lines} printed lines (at most {OUTPUT_LINES})")
    assert not walls, f"{path.name}: {walls}"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_each_notebook_ends_with_a_recap_and_a_self_test_with_its_answers(path):
    cells = json.loads(path.read_text())["cells"]
    tags = [cell["metadata"].get("tags", []) for cell in cells[-2:]]
    assert tags == [["recap"], ["self-test"]], f"{path.name} ends with cells tagged {tags}"
    solution = f"solutions/{path.stem}.py"
    assert f"({'../' + solution})" in "".join(cells[-1]["source"]), "link the answers"
    assert "Self-test · answers" in (path.parent.parent / solution).read_text()
