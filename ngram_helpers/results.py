"""The committed results tables of notebook 05: reading them, showing rows, picking the best (05).

``tools/results_table.py`` runs the rows of ``ngram_helpers.experiments`` on one split and writes
``results/<split>.csv``, one line per row with the ``COLUMNS`` below, and beside it a sidecar,
``results/<split>.json``, with each MLP row's loss curves and the names sampled from it. This
module is the one reader of both files: the table script (to add a row to a table), the README's
table, the seed spreads of ``ngram_helpers.seed_spread`` and notebook 05 all read through it, so
a malformed file is refused the same way everywhere, with its name in the message.

The values stay the strings of the CSV (``float(line["val_loss"])`` where a number is needed), so
the table script writes the rows it does not re-run back unchanged.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ngram_helpers.experiments import ROWS
from ngram_helpers.language import pad, say

COLUMNS = (
    "name",
    "description",
    "command",
    "config",
    "seed",
    "parameters",
    "steps",
    "cpu_seconds",
    "val_loss",
    "test_loss",
)

Table = dict[str, dict[str, str]]  # the lines of a results table by row name, in the file's order


def read_table(path: Path) -> Table:
    """The rows of the results table at ``path`` by name; empty if there is no such file.

    A file whose columns are not ``COLUMNS``, or with a line of too few or too many fields, is
    refused with a ``ValueError`` naming it: a table is read whole or not at all.
    """
    if not path.is_file():
        return {}
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path} is not a results table (columns {reader.fieldnames})")
        table = {}
        for line in reader:
            if None in line or None in line.values():  # csv's marks for extra, missing fields
                count = len(COLUMNS)
                raise ValueError(f"{path}, line {reader.line_num}: not the {count} fields of a row")
            table[line["name"]] = line
    return table


def sidecar_path(table: Path) -> Path:
    """The sidecar of the table at ``table``: the same name, ending in ``.json``."""
    return table.with_suffix(".json")


def read_sidecar(table: Path) -> dict:
    """What the table script stored beside ``table``; empty if it stored nothing.

    Keys: ``curves`` (each MLP row's ``step``, ``val_loss`` and ``train_loss`` lists),
    ``samples`` (each MLP row's sampled ``names`` and their ``new_share``) and
    ``data_fingerprint``. A file that is not JSON is refused with a ``ValueError`` naming it.
    """
    path = sidecar_path(table)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not a results sidecar (invalid JSON: {err})") from None


def show_table(table: Table, descriptions: bool = False) -> None:
    """Print every row: parameters, training steps, CPU seconds, val and test loss.

    With ``descriptions``, each line ends with what the row is, in the learner's language, with
    "->" written as an arrow and a mixture's "weights fitted on val" left to the reader
    (``Row.short_description``; a row this package no longer defines keeps the CSV's English
    ``description``, less that ending).
    """
    width = max(len(name) for name in table)
    headings = [
        (say("row", "行"), width, "<"),
        (say("parameters", "参数"), 11, ">"),
        (say("steps", "步数"), 7, ">"),
        (say("CPU s", "CPU 秒"), 7, ">"),
        (say("val", "验证"), 7, ">"),
        (say("test", "测试"), 7, ">"),
    ]
    header = " ".join(pad(text, size, align) for text, size, align in headings)
    print(header + (say("  what it is", "  是什么") if descriptions else ""))
    known = {row.name: row for row in ROWS}
    for name, line in table.items():
        text = (
            f"{name:{width}} {int(line['parameters']):>11,} {int(line['steps']):>7,} "
            f"{float(line['cpu_seconds']):>7.0f} {float(line['val_loss']):>7.4f} "
            f"{float(line['test_loss']):>7.4f}"
        )
        if descriptions:
            if name in known:
                described = known[name].short_description
            else:
                described = line["description"].removesuffix(", weights fitted on val")
            text += "  " + described.replace("->", "→")
        print(text)


def curves(sidecar: dict, names: list[str], key: str) -> dict[str, tuple[list[int], list[float]]]:
    """The ``key`` curves ("val_loss" or "train_loss") of rows, as ``name -> (steps, losses)``.

    A row without that curve (a count model, or a run whose sidecar was lost) is left out, and a
    line says so.
    """
    found = {}
    for name in names:
        curve = sidecar.get("curves", {}).get(name, {})
        if key not in curve:
            print(f"no {key} curve stored for {name}")
            continue
        found[name] = (curve["step"], curve[key])
    return found


def context_of(table: Table, name: str) -> int:
    """Characters of context a row's model reads (a mixture: the longest of its components)."""
    config = json.loads(table[name]["config"])
    if "model" in config:
        return config["model"]["context_length"]
    if "order" in config:
        return config["order"] - 1
    if "components" in config:
        return max(context_of(table, component) for component in config["components"])
    return 0


def best_row(table: Table, at_most: int) -> str:
    """The row of lowest *val* loss among those reading at most ``at_most`` characters.

    Chosen on val, never on test: the test loss is only reported.
    """
    rows = [name for name in table if context_of(table, name) <= at_most]
    return min(rows, key=lambda name: float(table[name]["val_loss"]))


def best_mlp(table: Table, context_length: int | None = None) -> str:
    """The full MLP row of lowest *val* loss, of any context length or of ``context_length``.

    ``mlp-lesson-2k``, the lesson's model cut short after 2,000 steps, is not a full run.
    """
    rows = [
        name
        for name in table
        if name.startswith("mlp")
        and name != "mlp-lesson-2k"
        and context_length in (None, context_of(table, name))
    ]
    return min(rows, key=lambda name: float(table[name]["val_loss"]))
