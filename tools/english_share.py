"""How much of what a Chinese learner reads on each Chinese notebook is English.

Counts the natural-language words on the stored pages, as the Chinese edition's review measured
them: Chinese as Han characters divided by 1.76 (characters per English word, the ratio that
review measured between the two editions), English as words of two or more Latin letters. Read
are the markdown (without code spans, code blocks and formulas), the comments and prose
strings of the code cells (not the code itself) and the text outputs (not figures: text drawn in
a PNG cannot be read back here). Identifiers, data such as names and the corpus's words, and
formulas are not prose, but names and words printed in outputs are counted as English, as the
review counted them: the share is an upper bound. Run from the repository's root::

    python tools/english_share.py
"""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import nbformat
from translate import HAN, WORD, tokens  # the translation tool's Han character and English word

CHARACTERS_PER_WORD = 1.76
PROSE = re.compile(r"[A-Za-z]{2,}[,;:]? +[A-Za-z]{2,}")  # two words in a row
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|<[^>]*>|\]\([^)]*\)", re.S)


def code_words(source: str) -> str:
    """The comments and prose strings of a code cell: its words, not its code (a string is prose
    when it has two words in a row, so keys such as "tanh" or "grey" are left out)."""
    try:
        cell_tokens = tokens(source)
    except (tokenize.TokenError, SyntaxError):
        return ""
    return " ".join(
        t.string
        for t in cell_tokens
        if t.type == tokenize.COMMENT or (t.type == tokenize.STRING and PROSE.search(t.string))
    )


def output_words(cell: nbformat.NotebookNode) -> str:
    """The text a cell's outputs print (a figure's "<Figure size …>" placeholder left out)."""
    texts = []
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        texts.append("" if text.startswith("<Figure size") else text)
    return "\n".join(texts)


def share(path: Path) -> dict[str, float]:
    """Chinese and English word counts of one notebook's pages, and the English share."""
    notebook = nbformat.read(path, as_version=4)
    parts = {"markdown": [], "code": [], "outputs": []}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts["markdown"].append(NOT_PROSE.sub(" ", cell.source))
        elif cell.cell_type == "code":
            parts["code"].append(code_words(cell.source))
            parts["outputs"].append(output_words(cell))
    counts = {}
    for part, texts in parts.items():
        text = "\n".join(texts)
        counts[f"{part} zh"] = len(HAN.findall(text)) / CHARACTERS_PER_WORD
        counts[f"{part} en"] = len(WORD.findall(text))
    chinese = sum(v for k, v in counts.items() if k.endswith(" zh"))
    english = sum(v for k, v in counts.items() if k.endswith(" en"))
    return {**counts, "share": english / (chinese + english)}


def main() -> None:
    paths = sorted(Path("notebooks/zh").glob("[0-9]*.ipynb"))
    print(f"{'notebook':28} {'English share':>13}   English words in markdown / code / outputs")
    for path in paths:
        c = share(path)
        print(
            f"{path.stem:28} {c['share']:13.1%}   "
            f"{c['markdown en']:>5} / {c['code en']:>5} / {c['outputs en']:>5}"
        )


if __name__ == "__main__":
    main()
