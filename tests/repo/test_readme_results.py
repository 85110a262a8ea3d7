"""The README's results table is the one tools/readme_results.py writes from results/*.csv."""

from tools import readme_results


def test_readme_table_is_written_from_the_csvs():
    readme = readme_results.README.read_text()
    assert readme == readme_results.with_table(readme), (
        "README.md's results table differs from results/*.csv: run python tools/readme_results.py"
    )


def test_the_table_bolds_the_lowest_loss_of_each_split():
    rows = [line for line in readme_results.table().splitlines() if line.startswith("| mix-ctx8 ")]
    assert rows and rows[0].count("**") == 8  # the best val and test on both splits
