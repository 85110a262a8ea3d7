"""A result figure written in a notebook's prose is printed by that notebook's code.

Every decimal with three or more significant digits in a markdown cell (a loss, an accuracy, a
cosine, a ratio) must be some number in the outputs of the same notebook, rounded to the digits
the prose gives, or a figure quoted from outside the series, listed below with its source.
Numbers typed into prose drift from the code; this test says which one drifted, and where.
"""

import json
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.]*\d)")
CODE_SPAN = re.compile(r"`[^`]*`")
# Figures quoted from outside the series, with their sources (all on the lesson's 2018 split
# unless said otherwise).
QUOTED = {
    "2.1064": "count 4-gram, add-0.1, test loss 2.106370: EurekaLabsAI/ngram, README",
    "2.0580": "the lesson's printed log, test_loss 2.0579814 (../shared/seed, section 5)",
    "2.058": "the lesson's printed log, test_loss 2.0579814 (../shared/seed, section 5)",
    "2.0345": "random search, 100 configurations at context 3: EurekaLabsAI/mlp, pull request #20",
    "1.993": "Karpathy's WaveNet-style model, val loss: makemore part 5 (another split)",
}


def significant_digits(text: str) -> int:
    return len(text.replace(".", "").lstrip("0"))


def prose_figures(notebook: dict) -> list[tuple[int, str]]:
    """(cell index, figure) for every 3+-significant-digit decimal in the markdown."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            text = CODE_SPAN.sub("", "".join(cell["source"]))
            found += [(index, m) for m in NUMBER.findall(text) if significant_digits(m) >= 3]
    return found


def output_numbers(notebook: dict) -> set[Decimal]:
    """Every decimal number printed in the notebook's text outputs."""
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts += ["".join(v) for k, v in output.get("data", {}).items() if k == "text/plain"]
    return {Decimal(m) for m in re.findall(r"\d+\.\d+", "\n".join(texts))}


def printed(figure: str, numbers: set[Decimal]) -> bool:
    """Whether some printed number, rounded to the figure's decimals, is the figure."""
    step = Decimal(figure) - Decimal(figure)  # 0 with the figure's exponent: its decimals
    target = Decimal(figure)
    return any(
        n.quantize(step, rounding=mode) == target
        for n in numbers
        for mode in (ROUND_HALF_EVEN, ROUND_HALF_UP)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_in_the_prose_is_printed_or_quoted(path):
    notebook = json.loads(path.read_text())
    numbers = output_numbers(notebook)
    unbacked = [
        f"cell {index}: {figure}"
        for index, figure in prose_figures(notebook)
        if figure not in QUOTED and not printed(figure, numbers)
    ]
    assert not unbacked, f"{path.name}: figures in the prose that no output prints: {unbacked}"


def test_the_check_catches_a_drifted_figure():
    numbers = {Decimal("2.0689"), Decimal("0.1524")}
    assert printed("2.069", numbers) and printed("2.0689", numbers) and printed("0.152", numbers)
    assert not printed("2.068", numbers) and not printed("2.0698", numbers)
