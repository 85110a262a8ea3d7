"""Write the glossary's "首次出现" (first appears in) column from the Chinese notebooks.

``notebooks/zh/glossary.md`` lists the terms of the Chinese edition in a table: the Chinese, the
English, and the first notebook whose text uses the term. That last column is not written by hand:
this script reads the markdown cells of ``notebooks/zh/NN_*.ipynb`` (prose only: code and math are
left out) and, for each row, finds the first notebook that uses any of the row's Chinese terms
(separated by " / "); a row no notebook uses gets "—". A few words also have an everyday sense
that is not the term's; ``SENSES`` gives each of those a pattern that finds the term's sense only::

    python tools/glossary.py            # rewrite the column in notebooks/zh/glossary.md
    python tools/glossary.py --check    # exit 1 if the column is not what this would write

``tests/notebooks/test_glossary.py`` runs the check, so the column cannot go stale when a
translation changes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHINESE = ROOT / "notebooks" / "zh"
GLOSSARY = CHINESE / "glossary.md"
HEADER = "| 中文 | English | 首次出现 |"
NOWHERE = "—"
# code and math: not prose, so a term inside them does not count
HIDDEN = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`", re.DOTALL)
# terms whose characters also mean something else on the page, with a pattern for the term only
SENSES = {
    "提示": r"提示(?!：)",  # "提示：" opens an exercise's hint; the term is a sampler's prompt
    "平滑": r"(?<!保持)平滑(?!版本)",  # 01's smooth curve and "a smooth version of ReLU"
    "采样": r"(?<![负下核])采样",  # sampling names, not negative, sub- or nucleus sampling
}


def notebook_prose() -> list[tuple[str, str]]:
    """(number, prose) of each Chinese notebook, in order: its markdown without code and math."""
    found = []
    for path in sorted(CHINESE.glob("[0-9]*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        found.append((path.name[:2], HIDDEN.sub(" ", markdown)))
    return found


def first_appearance(terms: list[str], prose: list[tuple[str, str]]) -> str:
    """The number of the first notebook whose prose uses one of ``terms``, or ``NOWHERE``."""
    patterns = [re.compile(SENSES.get(term, re.escape(term))) for term in terms]
    for number, text in prose:
        if any(pattern.search(text) for pattern in patterns):
            return number
    return NOWHERE


def with_column(glossary: str, prose: list[tuple[str, str]]) -> str:
    """``glossary`` with each row of its term table given its first appearance."""
    lines = glossary.split("\n")
    if HEADER not in lines:
        raise ValueError(f"{GLOSSARY.name}: no table headed {HEADER!r}")
    start = lines.index(HEADER) + 2  # below the header and its |---| line
    end = start
    while end < len(lines) and lines[end].startswith("| "):
        chinese, english, _ = (cell.strip() for cell in lines[end].strip().strip("|").split("|"))
        terms = [term.strip() for term in chinese.split(" / ")]
        lines[end] = f"| {chinese} | {english} | {first_appearance(terms, prose)} |"
        end += 1
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    glossary = GLOSSARY.read_text(encoding="utf-8")
    written = with_column(glossary, notebook_prose())
    if args.check:
        if written != glossary:
            print(f"{GLOSSARY.relative_to(ROOT)} is stale: run python tools/glossary.py")
            return 1
        return 0
    GLOSSARY.write_text(written, encoding="utf-8")
    print(f"wrote the first-appearance column of {GLOSSARY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
