"""Acceptance: the full reference run on the lesson's 2018 split reprints its log, on both engines.

The two 50,000-step runs (plain and fast engine) run
at the same time, one torch thread each, so the test takes about as long as the slower one (a
minute or two on a 2-core CPU).
"""

import subprocess
import sys

import pytest

from tests.conftest import LESSON, LESSON_LOG, ROOT, STEP

pytestmark = pytest.mark.slow
TOLERANCE = 2e-6


def parse(text):
    steps = [STEP.match(line).groups() for line in text.splitlines() if line.startswith("step")]
    rest = [line for line in text.splitlines() if not line.startswith("step")]
    return steps, rest[:-1], float(rest[-1].split()[1])


@pytest.fixture(scope="module")
def full_runs():
    """stdout of ``python -m ngram_helpers train`` on the 2018 split, per engine."""
    data = str(LESSON)
    runs = {
        engine: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ngram_helpers",
                "train",
                "--quiet",
                "--engine",
                engine,
                "--data",
                data,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )  # fmt: skip
        for engine in ("plain", "fast")
    }
    outputs = {}
    for engine, process in runs.items():
        out, err = process.communicate(timeout=1800)
        assert process.returncode == 0, err
        outputs[engine] = out
    return outputs


@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_full_run_reprints_the_reference_log(full_runs, engine):
    ours, our_text, our_test = parse(full_runs[engine])
    ref, ref_text, ref_test = parse(LESSON_LOG.read_text())
    assert len(ours) == len(ref) == 251
    for (step, train, val, lr), (rstep, rtrain, rval, rlr) in zip(ours, ref, strict=True):
        assert step == rstep and lr == rlr
        assert abs(float(train) - float(rtrain)) <= TOLERANCE, step
        assert abs(float(val) - float(rval)) <= TOLERANCE, step
    assert our_text == ref_text  # the prompt and the 200 sampled characters
    assert abs(our_test - ref_test) <= TOLERANCE
