"""The seed-to-seed spread of notebook 05: reading several seeds' tables, the rule, and the rows
shown and drawn over their seeds."""

import csv

import matplotlib
import matplotlib.pyplot as plt
import pytest

from ngram_helpers.results import COLUMNS
from ngram_helpers.seed_spread import (
    SeedResults,
    Spread,
    beyond_spread,
    difference_text,
    read_spreads,
    tied_with_lowest,
)
from tests.conftest import ROOT


def write_table(path, rows):
    """A results table of (name, seed, val loss) rows; test loss 0.03 above val, the rest blank."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for name, seed, val in rows:
            writer.writerow({"name": name, "seed": seed, "val_loss": val, "test_loss": val + 0.03})


def test_a_spread_has_mean_low_high_and_range():
    spread = Spread({1337: 2.07, 1338: 2.06, 1339: 2.08})
    assert spread.mean == pytest.approx(2.07)
    assert (spread.low, spread.high) == (2.06, 2.08)
    assert spread.range == pytest.approx(0.02)
    assert str(spread) == "2.0700 (2.0600-2.0800, 3 seeds)"
    assert str(Spread({None: 2.0514})) == "2.0514 (one run)"


def test_tables_of_several_seeds_are_read_together(tmp_path):
    write_table(tmp_path / "names.csv", [("count-4", "", 2.0872), ("mlp-a", 1337, 2.07)])
    write_table(tmp_path / "names-seed1338.csv", [("mlp-a", 1338, 2.06)])
    write_table(tmp_path / "names-seed1339.csv", [("mlp-a", 1339, 2.08)])
    write_table(tmp_path / "other.csv", [("mlp-a", 1340, 9.0)])  # another split: not read
    spreads = read_spreads(tmp_path, "names")
    assert spreads["mlp-a"].losses == {1337: 2.07, 1338: 2.06, 1339: 2.08}
    assert spreads["count-4"].losses == {None: 2.0872}  # no seed: one entry
    assert read_spreads(tmp_path, "names", "test_loss")["mlp-a"].mean == pytest.approx(2.10)
    assert read_spreads(tmp_path / "absent", "names") == {}


def test_a_difference_counts_only_beyond_the_larger_range():
    base = Spread({1: 2.0657, 2: 2.0673, 3: 2.0689})  # range 0.0032
    near = Spread({1: 2.0646, 2: 2.0657, 3: 2.0686})  # 0.0010 lower, range 0.0040
    far = Spread({1: 2.0524, 2: 2.0571, 3: 2.0593})  # 0.0110 lower, range 0.0069
    assert not beyond_spread(base, near) and not beyond_spread(near, base)
    assert beyond_spread(base, far) and beyond_spread(far, base)
    assert difference_text(base, near) == "-0.0010, spread 0.0040: within the spread"
    assert difference_text(base, far) == "-0.0110, spread 0.0069: beyond the spread"
    assert "one seed" in difference_text(base, Spread({1337: 2.0}))  # its spread is unknown
    counts = Spread({None: 2.0514})  # a count model: nothing random, a range of 0
    assert difference_text(counts, base) == "+0.0159, spread 0.0032: beyond the spread"


def test_the_rows_tied_with_the_lowest_are_those_within_the_spread_of_it():
    spreads = {
        "low": Spread({1: 1.9349, 2: 1.9352, 3: 1.9369}),  # range 0.0020
        "near": Spread({1: 1.9319, 2: 1.9382, 3: 1.9400}),  # 0.0011 higher, range 0.0081
        "far": Spread({1: 1.9463, 2: 1.9497, 3: 1.9531}),  # 0.0141 higher
        "counts": Spread({None: 1.9742}),
    }
    assert tied_with_lowest(spreads, ["far", "near", "counts", "low"]) == ["low", "near"]
    assert tied_with_lowest(spreads, ["far", "counts"]) == ["far"]


def test_every_mlp_row_and_mixture_of_this_split_has_three_seeds():
    """Notebook 05 compares these rows by their spread: every one must have its three runs."""
    spreads = read_spreads(ROOT / "results", "names")
    mlp_rows = [name for name in spreads if name.startswith("mlp")]
    mixtures = [name for name in spreads if name.startswith("mix")]
    assert mlp_rows and mixtures
    rows = mlp_rows + mixtures
    missing = [name for name in rows if sorted(spreads[name].losses) != [1337, 1338, 1339]]
    assert not missing, f"rows without their three seeds: {missing}"


def seed_results():
    """The lesson's row and its changed initialisation over three seeds, and a count model."""
    val = {
        "mlp-lesson": Spread({1337: 2.0673, 1338: 2.0657, 1339: 2.0689}),
        "mlp-init": Spread({1337: 2.0646, 1338: 2.0657, 1339: 2.0686}),
        "count-4": Spread({None: 2.0872}),
    }
    test = {
        name: Spread({seed: v + 0.03 for seed, v in s.losses.items()}) for name, s in val.items()
    }
    lesson_split = {name: {"val_loss": "2.1", "test_loss": "2.2"} for name in val}
    return SeedResults(val, test, lesson_split)


def test_rows_are_shown_over_their_seeds_against_their_parent_then_on_the_lesson_split(capsys):
    seed_results().show(["mlp-lesson", "mlp-init"])
    assert capsys.readouterr().out.splitlines() == [
        "results/names*.csv: val loss, mean (lowest-highest) over seeds; change from the parent",
        "  mlp-lesson val 2.0673 (2.0657-2.0689, 3 seeds)  test 2.0973",
        "  mlp-init   val 2.0663 (2.0646-2.0686, 3 seeds)  test 2.0963",
        "             vs mlp-lesson: -0.0010, spread 0.0040: within the spread",
        "results/makemore-2018.csv: one seed",
        "  mlp-lesson val 2.1000  test 2.2000",
        "  mlp-init   val 2.1000  test 2.2000",
    ]


@pytest.fixture
def agg():
    """Draw with the Agg backend (no window; ``plt.show`` does nothing); close the figures after."""
    backend = matplotlib.get_backend()
    matplotlib.use("Agg")
    yield
    plt.close("all")
    matplotlib.use(backend)


@pytest.mark.usefixtures("agg")
def test_the_spreads_are_drawn_in_full_and_zoomed():
    names = ["mlp-init", "mlp-lesson", "count-4"]
    seed_results().plot(names, xlim=(1.85, 2.9), zoom=(2.05, 2.1), uniform=3.2958)
    figure = plt.gcf()
    ax_all, ax_zoom = figure.axes
    assert [t.get_text() for t in ax_all.get_yticklabels()] == names
    assert ax_all.get_xlim() == (1.85, 2.9) and ax_zoom.get_xlim() == (2.05, 2.1)
    assert ax_zoom.get_title() == "zoomed: the rows between 2.05 and 2.1"
    assert {t.get_text() for t in figure.legends[0].get_texts()} == {
        "this split: val, mean and range of 3 seeds",
        "this split: test, mean",
        "2018 split: val, one seed",
    }
    assert figure.get_supxlabel().endswith("lower is better; uniform guessing 3.30")


def test_in_chinese_the_spread_and_its_verdict_are_chinese(chinese):
    assert str(Spread({1: 2.06, 2: 2.07, 3: 2.08})) == "2.0700（2.0600-2.0800，3 个种子）"
    assert str(Spread({None: 2.0514})) == "2.0514（运行一次）"
    base = Spread({1: 2.06, 2: 2.07, 3: 2.08})
    far = Spread({1: 2.2, 2: 2.21, 3: 2.22})
    assert difference_text(base, far) == "+0.1400，波动 0.0200：超出波动"
