"""Acceptance: the full reference run on the lesson's 2018 split reprints its log.

Skips where ../shared/reference is absent. Takes one full 50,000-step run (about a minute or
two on a 2-core CPU).
"""

import re
import subprocess
import sys

from tests.conftest import ROOT

STEP = re.compile(r"step +(\d+) \| train_loss ([\d.]+) \| val_loss ([\d.]+) \| lr (\S+) \|")
TOLERANCE = 2e-6


def parse(text):
    steps = [STEP.match(line).groups() for line in text.splitlines() if line.startswith("step")]
    rest = [line for line in text.splitlines() if not line.startswith("step")]
    return steps, rest[:-1], float(rest[-1].split()[1])


def test_full_run_reprints_the_reference_log(reference_dir):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ngram_helpers.train",
            "--quiet",
            "--data",
            str(reference_dir / "names-makemore-2018"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    assert out.returncode == 0, out.stderr
    ours, our_text, our_test = parse(out.stdout)
    ref, ref_text, ref_test = parse((reference_dir / "seed-run.log").read_text())
    assert len(ours) == len(ref) == 251
    for (step, train, val, lr), (rstep, rtrain, rval, rlr) in zip(ours, ref, strict=True):
        assert step == rstep and lr == rlr
        assert abs(float(train) - float(rtrain)) <= TOLERANCE, step
        assert abs(float(val) - float(rval)) <= TOLERANCE, step
    assert our_text == ref_text  # the prompt and the 200 sampled characters
    assert abs(our_test - ref_test) <= TOLERANCE
