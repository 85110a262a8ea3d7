"""Write the README's "Beyond the lesson" table from the committed results CSVs.

The table shows a chosen set of rows of ``results/names.csv`` (this project's split) next to the
same rows of ``results/makemore-2018.csv`` (the lesson's split); every figure in it is read from
those files (by ``ngram_helpers.results``), and the lowest val and test loss of each split are
set in bold. For an MLP row or a mixture it also gives the val loss over the seeds of this split
(``results/names-seed*.csv``, read by ``ngram_helpers.seed_spread``): its mean and its range, the
yardstick for any difference.
The table sits in README.md between two marker comments, and this script replaces what is
between them::

    python tools/readme_results.py            # rewrite the table in README.md
    python tools/readme_results.py --check    # exit 1 if README.md is not what this would write

``tests/repo/test_readme_results.py`` runs the check, so the README cannot drift from the CSVs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ngram_helpers.results import read_table
from ngram_helpers.seed_spread import read_spreads

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SPLITS = (ROOT / "results" / "names.csv", ROOT / "results" / "makemore-2018.csv")
BEGIN, END = "<!-- results-table:begin -->", "<!-- results-table:end -->"
SHOWN = [
    "mlp-lesson", "mlp-init", "mlp-ctx5", "mlp-ctx8", "mlp-ctx5-10k", "mlp-ctx5-10k-h1024",
    "mlp-ctx5-10k-e24", "mlp-ctx5-10k-e96", "mlp-ctx5-10k-b256", "mlp-ctx5-10k-b512",
    "mlp-ctx5-10k-b512-deep2", "mlp-b256-10k", "mlp-b256-10k-lr2e-3", "mlp-deep2", "mlp-deep3",
    "mlp-deep2-names", "mlp-ctx5-deep2-names", "mlp-deep2-names-e96", "mlp-deep2-names-20k",
    "mlp-deep2-names-20k-drop", "mlp-ctx8-deep2-names", "mlp-ctx8-deep2-names-drop",
    "mlp-ctx12-deep2-names-drop", "kn-4", "kn-5", "mix-ctx3", "mix-ctx3-4", "mix-ctx5", "mix-ctx8",
]  # fmt: skip


def steps(line: dict[str, str]) -> str:
    count = int(line["steps"])
    return "–" if count == 0 else f"{count // 1000}k"


def table() -> str:
    """The markdown table, from the CSVs."""
    splits = [read_table(path) for path in SPLITS]
    spreads = read_spreads(SPLITS[0].parent, SPLITS[0].stem)
    best = [
        {column: min(float(s[n][column]) for n in SHOWN) for column in ("val_loss", "test_loss")}
        for s in splits
    ]

    def losses(split: dict[str, dict[str, str]], lowest: dict[str, float], name: str) -> str:
        shown = []
        for column in ("val_loss", "test_loss"):
            value = float(split[name][column])
            text = f"{value:.4f}"
            shown.append(f"**{text}**" if value == lowest[column] else text)
        return " / ".join(shown)

    lines = [
        "| row | change | params | steps | this split, seed 1337 | val over seeds: mean (range) "
        "| lesson's 2018 split |",
        "| --- | --- | ---: | ---: | --- | --- | --- |",
    ]
    for name in SHOWN:
        line = splits[0][name]
        change = line["description"].replace("->", "→")
        spread = spreads[name]
        seeds = "–" if len(spread.losses) < 2 else f"{spread.mean:.4f} ({spread.range:.4f})"
        lines.append(
            f"| {name} | {change} | {int(line['parameters']):,} | {steps(line)} | "
            f"{losses(splits[0], best[0], name)} | {seeds} | {losses(splits[1], best[1], name)} |"
        )
    return "\n".join(lines)


def with_table(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the table."""
    start, stop = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table() + "\n" + readme[stop:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether README is current")
    args = parser.parse_args(argv)
    readme = README.read_text()
    wanted = with_table(readme)
    if args.check:
        if wanted != readme:
            print("README.md's results table differs from results/*.csv", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
