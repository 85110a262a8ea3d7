"""The committed results tables (ngram_helpers.results): reading a table and its sidecar, refusing
a malformed file by name, printing and ranking rows, and the rows' loss curves."""

import csv
import json

import pytest

from ngram_helpers.language import columns
from ngram_helpers.results import (
    COLUMNS,
    best_mlp,
    best_row,
    context_of,
    curves,
    read_sidecar,
    read_table,
    show_table,
)
from tests.conftest import ROOT

CONFIGS = {  # the config column of each kind of row, as the table script writes it
    "uniform": {},
    "count-4": {"order": 4, "alpha": 0.01},
    "mlp-a": {"model": {"context_length": 3}},
    "mlp-b": {"model": {"context_length": 5}},
    "mlp-lesson-2k": {"model": {"context_length": 3}},
    "mix-ab": {"components": ["mlp-a", "mlp-b"]},
}
VAL = {
    "uniform": 3.2958,
    "count-4": 2.09,
    "mlp-a": 2.07,
    "mlp-b": 2.05,
    "mlp-lesson-2k": 2.06,
    "mix-ab": 2.04,
}


def line(name: str, val: float) -> dict[str, str]:
    """A table line for row ``name`` with val loss ``val`` (test 0.01 above it)."""
    return {
        "name": name,
        "description": f"the {name} row",
        "command": f"python tools/results_table.py --rows {name}",
        "config": json.dumps(CONFIGS.get(name, {})),
        "seed": "1337" if name.startswith(("mlp", "mix")) else "",
        "parameters": "1234",
        "steps": "5000" if name.startswith("mlp") else "0",
        "cpu_seconds": "12.3",
        "val_loss": f"{val:.6f}",
        "test_loss": f"{val + 0.01:.6f}",
    }


def write_table(path, lines, fieldnames=COLUMNS):
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(lines)
    return path


@pytest.fixture
def table_path(tmp_path):
    return write_table(tmp_path / "names.csv", [line(name, val) for name, val in VAL.items()])


def test_a_table_is_read_as_its_lines_by_row_name_in_the_files_order(table_path):
    table = read_table(table_path)
    assert list(table) == list(VAL)
    assert table["mlp-a"] == line("mlp-a", 2.07)  # every value the CSV's string
    assert read_table(table_path.parent / "absent.csv") == {}


def test_the_committed_tables_are_read_whole():
    table = read_table(ROOT / "results" / "names.csv")
    assert "mlp-lesson" in table and float(table["mlp-lesson"]["val_loss"]) > 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("a,b\n1,2\n", "not a results table (columns ['a', 'b'])"),
        ("", "not a results table (columns None)"),
        (",".join(COLUMNS) + "\nuniform,too,few\n", "line 2: not the 10 fields of a row"),
        (",".join(COLUMNS) + "\n" + ",".join("x" * 11) + "\n", "line 2: not the 10 fields"),
    ],
    ids=["other columns", "empty file", "a short line", "a long line"],
)
def test_a_malformed_table_is_refused_in_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "broken.csv"
    path.write_text(text)
    with pytest.raises(ValueError) as caught:
        read_table(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_sidecar_is_read_beside_its_table(table_path):
    sidecar = {"curves": {"mlp-a": {"step": [0, 10], "val_loss": [3.3, 2.5]}}}
    table_path.with_suffix(".json").write_text(json.dumps(sidecar))
    assert read_sidecar(table_path) == sidecar
    assert read_sidecar(table_path.parent / "absent.csv") == {}


def test_a_sidecar_that_is_not_json_is_refused_in_one_line_naming_the_file(table_path):
    path = table_path.with_suffix(".json")
    path.write_text('{"curves": {\n')
    with pytest.raises(ValueError) as caught:
        read_sidecar(table_path)
    assert str(caught.value).startswith(f"{path} is not a results sidecar (invalid JSON")
    assert "\n" not in str(caught.value)


def test_show_table_prints_one_aligned_line_per_row(table_path, capsys):
    show_table(read_table(table_path))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["row", "parameters", "steps", "CPU", "s", "val", "test"]
    assert lines[3] == "mlp-a               1,234   5,000      12  2.0700  2.0800"
    assert len(lines) == 1 + len(VAL) and len({len(text) for text in lines}) == 1


def test_show_table_can_end_each_line_with_what_the_row_is(table_path, capsys):
    table = read_table(table_path)
    table["mlp-a"]["description"] = "mlp-lesson, context 3 -> 5"
    table["mix-a"] = {**table["mlp-a"], "name": "mix-a"}
    table["mix-a"]["description"] = "mixture of mlp-a, kn-4, weights fitted on val"
    show_table(table, descriptions=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("  what it is")
    assert lines[3].endswith("  mlp-lesson, context 3 → 5")
    assert lines[-1].endswith("  mixture of mlp-a, kn-4")


def test_rows_are_ranked_on_val_by_the_context_they_read(table_path):
    table = read_table(table_path)
    contexts = {name: context_of(table, name) for name in table}
    assert contexts == {
        "uniform": 0,
        "count-4": 3,
        "mlp-a": 3,
        "mlp-b": 5,
        "mlp-lesson-2k": 3,
        "mix-ab": 5,  # the longest of its components
    }
    assert best_row(table, 3) == "mlp-lesson-2k" and best_row(table, 99) == "mix-ab"
    assert best_mlp(table) == "mlp-b"  # the cut-short 2,000-step row is not a full run
    assert best_mlp(table, 3) == "mlp-a"


def test_curves_leave_out_and_name_a_row_without_one(capsys):
    sidecar = {"curves": {"mlp-a": {"step": [0, 10], "val_loss": [3.3, 2.5]}}}
    assert curves(sidecar, ["mlp-a", "count-4"], "val_loss") == {"mlp-a": ([0, 10], [3.3, 2.5])}
    assert capsys.readouterr().out == "no val_loss curve stored for count-4\n"


def test_in_chinese_the_table_lines_up_and_says_what_each_known_row_is(table_path, capsys, chinese):
    table = read_table(table_path)
    table["mlp-ctx5"] = {**table["mlp-a"], "name": "mlp-ctx5", "description": "stale words"}
    table["mix-ctx3"] = {**table["mlp-a"], "name": "mix-ctx3"}
    show_table(table, descriptions=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["行", "参数"] and lines[0].endswith("  是什么")
    numbers = lines[-1].removesuffix("  mlp-deep2-names、kn-4 的混合")  # the columns of figures
    assert columns(lines[0].removesuffix("  是什么")) == len(numbers)  # a Han character is 2 wide
    assert lines[-2].endswith("  mlp-lesson，上下文 3 → 5")  # the row's words, not the CSV's
    assert lines[-1].endswith("  mlp-deep2-names、kn-4 的混合")
