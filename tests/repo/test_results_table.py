"""tools/results_table.py: it refuses a file that is not a results table and updates only the
rows it is asked for."""

from tests.conftest import NAMES
from tools.results_table import main, read_table


def test_script_rejects_a_file_that_is_not_a_results_table(tmp_path, capsys):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    assert main(["--data", str(NAMES), "--out", str(other), "--rows", "uniform"]) == 1
    assert "not a results table" in capsys.readouterr().err
    assert other.read_text() == "a,b\n1,2\n"


def test_script_updates_only_the_rows_asked_for(tmp_path):
    out = tmp_path / "table.csv"
    assert main(["--data", str(NAMES), "--out", str(out), "--rows", "count-2,uniform"]) == 0
    assert list(read_table(out)) == ["uniform", "count-2"]
    assert main(["--data", str(NAMES), "--out", str(out), "--rows", "count-1"]) == 0
    assert list(read_table(out)) == ["uniform", "count-1", "count-2"]
