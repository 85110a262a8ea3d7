"""How much a result moves when only the initial weights change: the seed-to-seed spread (05).

One training run gives one number, and a second run from other random initial weights gives a
slightly different one. Before saying that one configuration beats another, compare the gap
between them with that spread. ``tools/results_table.py --seed N`` trains the MLP rows from seed
N (and each mixture's MLPs) and writes ``results/<split>-seed<N>.csv`` next to the table's own
``results/<split>.csv`` (seed 1337); this module reads them together.

The rule used throughout notebook 05 and its exercise 5.5 is deliberately simple: a difference
counts only if the two means differ by more than the larger of the two ranges (highest minus
lowest loss over a row's seeds). With three seeds a range is a rough measure, so the rule is
cautious: it would rather miss a small real gain than announce a lucky one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Spread:
    """One row's loss over several runs: ``losses`` maps seed -> loss.

    The seed is None for a run with nothing random in it: a count model has no random start.
    """

    losses: dict[int | None, float]

    @property
    def mean(self) -> float:
        return sum(self.losses.values()) / len(self.losses)

    @property
    def low(self) -> float:
        return min(self.losses.values())

    @property
    def high(self) -> float:
        return max(self.losses.values())

    @property
    def range(self) -> float:
        """Highest minus lowest: how far the initial weights alone moved this row."""
        return self.high - self.low

    @property
    def measured(self) -> bool:
        """Whether the range says how far a seed moves the row: several runs, or no seed at all
        (a count model has nothing random in it, so its one run is its only possible result)."""
        return len(self.losses) > 1 or set(self.losses) == {None}

    def __str__(self) -> str:
        if len(self.losses) == 1:
            return f"{self.mean:.4f} (one run)"
        return f"{self.mean:.4f} ({self.low:.4f}-{self.high:.4f}, {len(self.losses)} seeds)"


def seed_tables(results: Path, stem: str) -> list[Path]:
    """``<stem>.csv`` and every ``<stem>-seed<N>.csv`` in ``results``, in that order."""
    return [results / f"{stem}.csv", *sorted(results.glob(f"{stem}-seed*.csv"))]


def read_spreads(results: Path, stem: str, column: str = "val_loss") -> dict[str, Spread]:
    """Each row's ``column`` over every seed in the split's tables, by row name.

    The count models, which have no random start, have one entry, as does any row that no
    other seed's table holds.
    """
    losses: dict[str, dict[int | None, float]] = {}
    for path in seed_tables(results, stem):
        if not path.is_file():
            continue
        with path.open(newline="") as f:
            for line in csv.DictReader(f):
                seed = int(line["seed"]) if line["seed"] else None
                losses.setdefault(line["name"], {})[seed] = float(line[column])
    return {name: Spread(by_seed) for name, by_seed in losses.items()}


def beyond_spread(a: Spread, b: Spread) -> bool:
    """Whether the means of ``a`` and ``b`` differ by more than the larger of their ranges."""
    return abs(a.mean - b.mean) > max(a.range, b.range)


def difference_text(a: Spread, b: Spread) -> str:
    """The change of mean from ``a`` to ``b``, and whether it is larger than the spread."""
    change = b.mean - a.mean
    spread = max(a.range, b.range)
    if not (a.measured and b.measured):
        return f"{change:+.4f} (one seed: no spread to compare with)"
    verdict = "beyond the spread" if beyond_spread(a, b) else "within the spread"
    return f"{change:+.4f}, spread {spread:.4f}: {verdict}"
