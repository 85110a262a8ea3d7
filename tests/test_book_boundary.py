"""The book's decision-boundary explorer (tools/export_boundary.py) against notebook 01's widget.

The page looks each setting up in data trained beforehand; for the settings below, that data must
be what the widget shows: the same summary line, the same loss curves (to the 5 decimals kept),
and P(class 1) on the grid within half a byte step (0.5/255, the rounding to a byte) of a model
trained as ``BoundaryWidget.retrain`` trains it.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys

import pytest
import torch

from ngram_helpers.toy_models import binary_loss, fit_full_batch, make_mlp, probability_of_class_1
from ngram_helpers.widgets.boundary import build_boundary_widget
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import export_boundary  # noqa: E402  (tools/ is not a package)

GRID_TOLERANCE = 0.5 / 255 + 1e-6
SETTINGS = [
    export_boundary.DEFAULT,
    {"activation": "relu", "hidden_width": 32, "learning_rate": 0.1, "steps": 100},
    {"activation": "sigmoid", "hidden_width": 2, "learning_rate": 1.0, "steps": 1000},
]


@pytest.fixture(scope="module")
def data():
    return export_boundary.explorer_data()


def test_the_notebook_builds_the_explorer_the_book_exports():
    notebook = json.loads((ROOT / "notebooks" / "01_mlp_basics.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    call = re.search(r"build_boundary_widget\((.*?)\)", code, re.S)
    assert call is not None, "notebook 01 no longer shows the explorer"
    data_name = call.group(1).split(",")[0].strip()
    assert f"{data_name} = {export_boundary.DATA_CALL}" in code
    for name, value in export_boundary.DEFAULT.items():
        assert f"{name}={json.dumps(value)}" in call.group(1).replace(" ", ""), name
    setting_names = {export_boundary.key(s) for s in export_boundary.page_settings()}
    assert export_boundary.key(export_boundary.DEFAULT) in setting_names


@pytest.mark.parametrize("setting", SETTINGS, ids=export_boundary.key)
def test_a_setting_shows_what_the_widget_shows(data, setting):
    points, _ = export_boundary.grid_points(data.x_train)
    record = export_boundary.setting_record(data, setting, points)
    widget = build_boundary_widget(data, **setting)
    assert f"<code>{record['summary']['en']}</code>" == widget.summary.value
    every = max(1, setting["steps"] // 100)
    assert record["train"] == pytest.approx(widget.curves.train_loss[every - 1 :: every], abs=5e-6)
    assert record["val"] == pytest.approx(widget.curves.val_loss[every - 1 :: every], abs=5e-6)

    model = make_mlp([2, setting["hidden_width"], 1], activation=setting["activation"], seed=0)
    fit_full_batch(
        model, data, binary_loss, learning_rate=setting["learning_rate"], steps=setting["steps"]
    )
    expected = probability_of_class_1(model, points)
    grid = torch.frombuffer(bytearray(base64.b64decode(record["grid"])), dtype=torch.uint8)
    assert (grid.double() / 255 - expected.double()).abs().max().item() <= GRID_TOLERANCE


def test_the_chinese_page_shows_the_chinese_widget_s_summary(data, chinese):
    points, _ = export_boundary.grid_points(data.x_train)
    record = export_boundary.setting_record(data, export_boundary.DEFAULT, points)
    widget = build_boundary_widget(data, **export_boundary.DEFAULT)
    assert f"<code>{record['summary']['zh']}</code>" == widget.summary.value
    assert "训练损失" in widget.summary.value


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_names_each_setting_as_the_export_does():
    """The page joins its control values with String(); the export must write the same text."""
    rates = list(export_boundary.LEARNING_RATES)
    done = subprocess.run(
        ["node", "-e", f"process.stdout.write(JSON.stringify({json.dumps(rates)}.map(String)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = json.loads(done.stdout)
    for rate, name in zip(rates, names, strict=True):
        setting = {**export_boundary.DEFAULT, "learning_rate": rate}
        assert export_boundary.key(setting).split("/")[2] == name
