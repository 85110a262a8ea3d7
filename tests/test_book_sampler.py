"""The book's in-browser name sampler (book/static/ngram_sampler.js) against Python's.

The JavaScript runs under node (book/sampler_cli.js) on weights written by
tools/export_sampler.py, and must draw the names the notebook 04 widget draws
(``sample_from_table``) for every setting of a grid, mark them with the same origins, and show
the same chart.

Python computes logits and probabilities in float32 (torch), the JavaScript in float64. A draw
compares a coin (a multiple of 2**-24) with the running sum of the probabilities, so the two
could only draw differently if a coin fell closer to a step of the running sum than the two
running sums are apart. The test measures both, for every draw of the grid: the names must be
equal, and the closest any coin came to any step must exceed the largest difference between the
two running sums, so that no draw of the grid was decided by rounding.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys

import pytest
import torch

from ngram_helpers.checkpoint import DEFAULT_CHECKPOINT
from ngram_helpers.data import load_names
from ngram_helpers.language import set_language
from ngram_helpers.rng import RNG
from ngram_helpers.sample import (
    MAX_NAME_LENGTH,
    LogitTable,
    cumulative,
    name_origins,
    sample_from_table,
    start_context,
    tempered_probs,
)
from ngram_helpers.train import TrainConfig, build_model, model_config_for, train
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import export_sampler  # noqa: E402  (tools/ is not a package)

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")
CLI = ROOT / "book" / "sampler_cli.js"

TEMPERATURES = [0.0, 0.05, 0.3, 0.7, 1.0, 1.35, 2.0]
TOP_KS = [1, 2, 5, 27]
SEEDS = [1, 42, 1000]
PREFIXES = ["", "ma", "x", "qz"]
SETTINGS = [
    {"num": 20, "seed": seed, "prefix": prefix, "temperature": temperature, "topK": top_k}
    for temperature, top_k, seed, prefix in itertools.product(TEMPERATURES, TOP_KS, SEEDS, PREFIXES)
] + [  # the ends of the page's "names" slider
    {"num": num, "seed": 7, "prefix": prefix, "temperature": 1.0, "topK": 27}
    for num in (1, 50)
    for prefix in ("", "ma")
]
# Prefixes the page refuses, with the message Python gives (in both languages).
REFUSED = ["m7", "Q", "an'"]


@pytest.fixture(scope="module")
def data():
    return load_names(ROOT / "datasets" / "names")


@pytest.fixture(scope="module", params=["short run", "notebook 04"])
def model(request, data):
    """A 300-step model (always), and notebook 04's trained one where `make book` found one."""
    if request.param == "notebook 04":
        for path in (ROOT / DEFAULT_CHECKPOINT, export_sampler.TRAINED_HERE):
            trained = export_sampler.load_matching(path, data)
            if trained is not None:
                return trained
        pytest.skip(f"no finished notebook 04 run in {DEFAULT_CHECKPOINT} (`make book` trains one)")
    config = TrainConfig(num_steps=300)
    short = build_model(data, model_config_for(data), config)
    train(short, data, config, progress=False)
    return short


@pytest.fixture(scope="module")
def exported(model, data, tmp_path_factory):
    export = export_sampler.sampler_export(model, data, "test")
    path = tmp_path_factory.mktemp("sampler") / "model.js"
    return export_sampler.write_export(export, path)


def run_js(exported, settings: list[dict]) -> list[dict]:
    done = subprocess.run(
        [NODE, str(CLI), str(exported)],
        input=json.dumps(settings),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def python_cdf(table: LogitTable, context: list[int], setting: dict) -> list[float]:
    row = table.row(context)
    logits = table.logits[row : row + 1]
    return cumulative(tempered_probs(logits, setting["temperature"], setting["topK"])[0])


def close_calls(table: LogitTable, data, setting: dict, js_cdfs: dict) -> list[str]:
    """The draws of this setting whose coin lies nearer a step of Python's running sum than
    JavaScript's running sum differs from Python's at that context: rounding decides those."""
    tokenizer, rng, close = data.tokenizer, RNG(setting["seed"]), []
    for _ in range(setting["num"]):
        context = start_context(tokenizer, setting["prefix"], table.context_length)
        name = setting["prefix"]
        while len(name) < MAX_NAME_LENGTH:
            cdf, coin = python_cdf(table, context, setting), rng.random()
            js_cdf = js_cdfs[",".join(map(str, context))]
            difference = max(abs(a - b) for a, b in zip(js_cdf, cdf, strict=True))
            margin = min(abs(step - coin) for step in cdf)
            if margin <= difference:
                close.append(f"coin {margin:.3g} from a step, sums differ by {difference:.3g}")
            token = min(sum(step <= coin for step in cdf), len(cdf) - 1)
            if token == tokenizer.end_token:
                break
            name += tokenizer.chars[token]
            context = context[1:] + [token]
    return close


@pytest.mark.slow  # node draws every setting from both models: the book's test, not the quick loop
def test_same_names_origins_and_chart_as_python(model, data, exported):
    table = LogitTable(model)
    results = run_js(exported, SETTINGS)
    close = []
    for setting, js in zip(SETTINGS, results, strict=True):
        names = sample_from_table(
            table,
            data.tokenizer,
            setting["num"],
            seed=setting["seed"],
            prefix=setting["prefix"],
            temperature=setting["temperature"],
            top_k=setting["topK"],
        )
        assert js["names"] == names, f"different names for {setting}"
        assert js["origins"] == name_origins(names, data)
        close += close_calls(table, data, setting, js["cdfs"])
        row = table.row(start_context(data.tokenizer, setting["prefix"], table.context_length))
        logits = table.logits[row : row + 1]
        probs = tempered_probs(logits, setting["temperature"], setting["topK"])[0]
        # float32 (torch) against float64 (JavaScript): a cold temperature multiplies the logits'
        # rounding, so the bars agree to a relative 1e-4 (invisible on the chart)
        assert js["probs"] == pytest.approx(probs.tolist(), rel=1e-4, abs=1e-6)
        assert js["reference"] == pytest.approx(torch.softmax(logits[0], 0).tolist(), abs=1e-6)
    assert not close, f"draws decided by rounding, not by the model: {close}"


def python_error(table: LogitTable, data, prefix: str) -> str:
    with pytest.raises(ValueError) as refused:
        sample_from_table(table, data.tokenizer, 1, seed=1, prefix=prefix)
    return str(refused.value)


def test_a_refused_prefix_gets_python_s_message_in_both_languages(model, data, exported):
    table = LogitTable(model)
    results = run_js(exported, [{"num": 1, "seed": 1, "prefix": p} for p in REFUSED])
    english = [python_error(table, data, prefix) for prefix in REFUSED]
    assert [js["error"] for js in results] == english
    set_language("zh")
    try:
        chinese = [python_error(table, data, prefix) for prefix in REFUSED]
    finally:
        set_language("en")
    assert [js["errorZh"] for js in results] == chinese
