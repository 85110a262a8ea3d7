"""How much a result moves when only the initial weights change: the seed-to-seed spread (05).

One training run gives one number, and a second run from other random initial weights gives a
slightly different one. Before saying that one configuration beats another, compare the gap
between them with that spread. ``tools/results_table.py --seed N`` trains the MLP rows from seed
N (and each mixture's MLPs) and writes ``results/<split>-seed<N>.csv`` next to the table's own
``results/<split>.csv`` (seed 1337); this module reads them together (each through
``ngram_helpers.results``), prints rows over their seeds and draws them with their ranges.

The rule used throughout notebook 05 and its exercise 5.5 is deliberately simple: a difference
counts only if the two means differ by more than the larger of the two ranges (highest minus
lowest loss over a row's seeds). With three seeds a range is a rough measure, so the rule is
cautious: it would rather miss a small real gain than announce a lucky one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt

from ngram_helpers.experiments import get_row
from ngram_helpers.language import say
from ngram_helpers.results import Table, read_table


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
            return say(f"{self.mean:.4f} (one run)", f"{self.mean:.4f}（运行一次）")
        seeds = len(self.losses)
        lowest_highest = f"{self.low:.4f}-{self.high:.4f}"
        return say(
            f"{self.mean:.4f} ({lowest_highest}, {seeds} seeds)",
            f"{self.mean:.4f}（{lowest_highest}，{seeds} 个种子）",
        )


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
        for name, line in read_table(path).items():
            seed = int(line["seed"]) if line["seed"] else None
            losses.setdefault(name, {})[seed] = float(line[column])
    return {name: Spread(by_seed) for name, by_seed in losses.items()}


def beyond_spread(a: Spread, b: Spread) -> bool:
    """Whether the means of ``a`` and ``b`` differ by more than the larger of their ranges."""
    return abs(a.mean - b.mean) > max(a.range, b.range)


def tied_with_lowest(spreads: dict[str, Spread], names: list[str]) -> list[str]:
    """The rows of ``names`` that the rule cannot tell from the one of lowest mean, lowest first.

    Picking "the best row" by its number alone is picking by luck when this holds more than one
    row: they tie, and a choice among them needs another reason (a smaller model, a cheaper run).
    """
    ranked = sorted(names, key=lambda name: spreads[name].mean)
    return [name for name in ranked if not beyond_spread(spreads[ranked[0]], spreads[name])]


def difference_text(a: Spread, b: Spread) -> str:
    """The change of mean from ``a`` to ``b``, and whether it is larger than the spread."""
    change = b.mean - a.mean
    spread = max(a.range, b.range)
    if not (a.measured and b.measured):
        return say(
            f"{change:+.4f} (one seed: no spread to compare with)",
            f"{change:+.4f}（只有一个种子：没有波动可比）",
        )
    if beyond_spread(a, b):
        verdict = say("beyond the spread", "超出波动")
    else:
        verdict = say("within the spread", "在波动之内")
    return say(
        f"{change:+.4f}, spread {spread:.4f}: {verdict}",
        f"{change:+.4f}，波动 {spread:.4f}：{verdict}",
    )


@dataclass(frozen=True)
class SeedResults:
    """The rows as notebook 05 shows every change: over the seeds of this project's split, and
    beside them on the lesson's 2018 split.

    ``val`` and ``test`` hold each row's losses over the seeds of ``results/names*.csv`` (from
    ``read_spreads``); ``lesson_split`` is the table ``results/makemore-2018.csv``, one seed per
    row (empty if it is absent).
    """

    val: dict[str, Spread]
    test: dict[str, Spread]
    lesson_split: Table

    def show(self, names: list[str]) -> None:
        """Print rows over the seeds of this project's split, then on the lesson's 2018 split.

        On this split: val loss as mean (lowest-highest) over the seeds and the mean test loss,
        and under a row that changes a parent row, the change of mean val loss, judged against
        the spread.
        """
        width = max(len(name) for name in self.val)  # every row's name: columns align across calls
        print(
            say(
                "results/names*.csv: val loss, mean (lowest-highest) over seeds; "
                "change from the parent",
                "results/names*.csv：验证损失，各种子的平均（最低-最高）；相对父行的变化",
            )
        )
        val, test = say("val", "验证"), say("test", "测试")
        for name in names:
            print(f"  {name:{width}} {val} {self.val[name]}  {test} {self.test[name].mean:.4f}")
            parent = get_row(name).parent
            if parent is not None:
                change = difference_text(self.val[parent.name], self.val[name])
                against = say(f"vs {parent.name}: {change}", f"对比 {parent.name}：{change}")
                print(f"  {'':{width}} {against}")
        if self.lesson_split:
            print(say("results/makemore-2018.csv: one seed", "results/makemore-2018.csv：一个种子"))
            for name in names:
                line = self.lesson_split[name]
                print(
                    f"  {name:{width}} {val} {float(line['val_loss']):.4f}  "
                    f"{test} {float(line['test_loss']):.4f}"
                )

    def plot(
        self,
        names: list[str],
        *,
        xlim: tuple[float, float],
        zoom: tuple[float, float],
        uniform: float,
    ) -> None:
        """Draw and show each row's val loss over the seeds, its mean and range, in two panels.

        One line per row of ``names``, top to bottom: the mean val loss with a bar from the lowest
        to the highest seed, the mean test loss, and the val loss on the lesson's split. The left
        panel shows every row over ``xlim``, the right one zooms into ``zoom``, where the rows are
        closer together than their ranges; ``uniform``, the loss of guessing uniformly, is far off
        both scales and named in the x label.
        """
        rows = list(range(len(names)))
        val = [self.val[name] for name in names]
        runs = max(len(spread.losses) for spread in val)
        fig, (ax_all, ax_zoom) = plt.subplots(
            1, 2, figsize=(9, 8.5), sharey=True, width_ratios=(1, 2), layout="constrained"
        )
        for ax in (ax_all, ax_zoom):
            ax.errorbar(
                [s.mean for s in val],
                rows,
                xerr=[[s.mean - s.low for s in val], [s.high - s.mean for s in val]],
                fmt="o",
                color="tab:blue",
                markersize=4,
                elinewidth=1.5,
                capsize=3,
                label=say(
                    f"this split: val, mean and range of {runs} seeds",
                    f"本划分：验证集，{runs} 个种子的均值和范围",
                ),
            )
            ax.scatter(
                [self.test[name].mean for name in names],
                rows,
                facecolors="none",
                edgecolors="tab:blue",
                s=22,
                label=say("this split: test, mean", "本划分：测试集，均值"),
            )
            if self.lesson_split:
                ax.scatter(
                    [float(self.lesson_split[name]["val_loss"]) for name in names],
                    rows,
                    color="tab:orange",
                    marker="x",
                    s=20,
                    label=say("2018 split: val, one seed", "2018 划分：验证集，一个种子"),
                )
            ax.grid(axis="x", alpha=0.3)
        ax_all.set_yticks(rows, names, fontsize=8)
        ax_all.invert_yaxis()
        ax_all.set_xlim(*xlim)
        ax_all.set_title(say("every row", "所有行"))
        ax_zoom.set_xlim(*zoom)
        ax_zoom.set_title(
            say(
                f"zoomed: the rows between {zoom[0]} and {zoom[1]}",
                f"放大：{zoom[0]} 到 {zoom[1]} 之间的行",
            )
        )
        fig.supxlabel(
            say(
                f"loss (nats per character), lower is better; uniform guessing {uniform:.2f}",
                f"损失（每个字符的 nat），越低越好；均匀猜测为 {uniform:.2f}",
            )
        )
        handles, labels = ax_zoom.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=3)
        plt.show()
