"""The Chinese edition reads as Chinese: no line break or space between two Chinese characters.

Markdown renders a line break inside a paragraph as a space, so a paragraph wrapped like English
shows "学习 率" to the reader. Every Chinese paragraph is therefore one source line; this test finds
a line break or a space between two Han characters (or Chinese punctuation) in the markdown of the
Chinese notebooks, outside code and math, where it would show.
"""

import json
import re

import pytest

from tests.conftest import ROOT

CHINESE = sorted((ROOT / "notebooks" / "zh").glob("[0-9]*.ipynb"))
HAN = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
GAP = re.compile(rf"({HAN})([ \t]*\n[ \t]*|[ \t]+)({HAN})")
# what the reader does not see as prose: fenced code, math, inline code
HIDDEN = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`", re.DOTALL)


def gaps(markdown: str) -> list[str]:
    """Each place in ``markdown`` where two Chinese characters are split by a space or a break."""
    prose = HIDDEN.sub("§", markdown)
    return [m.group(0).replace("\n", "⏎") for m in GAP.finditer(prose)]


def test_gaps_are_found_outside_code_and_math_only():
    assert gaps("学习\n率") == ["习⏎率"] and gaps("梯度 下降") == ["度 下"]
    assert gaps("`中 文` 与 $中 文$") == [] and gaps("学习率 learning rate\n下降") == []


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_no_break_or_space_between_two_chinese_characters(path):
    found = []
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "markdown":
            found += [f"cell {index}: {gap}" for gap in gaps("".join(cell["source"]))]
    assert not found, f"{path.name}: {len(found)} gaps, e.g. {found[:5]}"
