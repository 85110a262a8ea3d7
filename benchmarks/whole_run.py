"""The whole 50,000-step run, start to end: the lesson's own program against ours, one thread each.

The lesson's program is read from the lesson itself (``../shared/seed``, its Python block) and run
unchanged in a scratch folder laid out as it expects (``../datasets/data/*.txt``: the lesson's
2018 split, which this repository ships), with a ``common.py`` beside it that gives it the two
helpers it imports: this package's ``RNG`` (the generator the lesson specifies) and a step timer.
Then ``python -m ngram_helpers train --quiet`` runs on the same split with the plain engine and
with the fast one. Each is a fresh process at one thread, timed by wall clock and by the CPU time
the process used; the last lines of each log (the test loss) are printed so one can see they agree.
Needs the lesson at ``../shared/seed``, as every developer checkout and CI run has it::

    python benchmarks/whole_run.py              # about 5 minutes on a 2-core machine
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT.parent / "shared" / "seed"
SPLIT = ROOT / "datasets" / "names-makemore-2018"

# What the lesson's program imports from a module it does not print: the generator (ours follows
# the lesson's specification) and a timer whose figure only appears in the log's time/step column.
COMMON = """import time
from ngram_helpers.rng import RNG  # noqa: F401


class StepTimer:
    def __init__(self):
        self.dt = 0.0

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.dt = 0.9 * self.dt + 0.1 * (time.perf_counter() - self.start)

    def get_dt(self):
        return self.dt
"""


def lesson_program() -> str:
    """The Python block of the lesson's text: the program whose run the lesson prints."""
    texts = sorted(LESSON.glob("*.txt"))
    if not texts:
        sys.exit(f"the lesson is not at {LESSON}: this benchmark needs ../shared beside us")
    text = texts[0].read_text(encoding="utf-8")
    start = text.index("```python\n") + len("```python\n")
    return text[start : text.index("```", start)]


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command`` at one thread; its wall seconds, CPU seconds and printed output."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def losses(output: str) -> list[str]:
    """The train and val losses of every evaluation line of a printed log, as printed."""
    return re.findall(r"train_loss (\S+) \| val_loss (\S+)", output)


def sampled(output: str) -> str:
    """The text a log prints after the prompt "richard", up to its test loss."""
    return output.split("\nrichard", 1)[1].split("test_loss")[0]


def agreement(lesson: str, ours: str) -> str:
    """How closely our log follows the lesson's: loss lines digit for digit, largest gap, names."""
    pairs = list(zip(losses(lesson), losses(ours), strict=True))
    same = sum(x == y for x, y in pairs)
    gap = max(abs(float(u) - float(v)) for x, y in pairs for u, v in zip(x, y, strict=True))
    text = "the same" if sampled(lesson) == sampled(ours) else "different"
    return f"{same} of {len(pairs)} loss lines digit for digit, largest gap {gap:.1e}, {text} text"


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # for --help
    ours = [sys.executable, "-m", "ngram_helpers", "train", "--quiet", "--data", str(SPLIT)]
    with tempfile.TemporaryDirectory() as scratch:
        run, data = Path(scratch) / "run", Path(scratch) / "datasets" / "data"
        run.mkdir()
        shutil.copytree(SPLIT, data)
        (run / "lesson.py").write_text(lesson_program(), encoding="utf-8")
        (run / "common.py").write_text(COMMON, encoding="utf-8")
        runs = {
            "the lesson's program": ([sys.executable, "lesson.py"], run),
            "ours, plain engine": (ours + ["--engine", "plain"], ROOT),
            "ours, fast engine": (ours + ["--engine", "fast"], ROOT),
        }
        results = {}
        for name, (command, cwd) in runs.items():
            wall, cpu, output = timed(command, cwd)
            results[name] = (wall, cpu, output)
            last = output.strip().splitlines()[-1]
            print(f"{name:21s} wall {wall:6.1f} s, CPU {cpu:6.1f} s | {last}", flush=True)
    lesson_wall, _, lesson_output = results["the lesson's program"]
    for name, (wall, _, output) in list(results.items())[1:]:
        print(
            f"{name}: {lesson_wall / wall:.2f}x faster than the lesson's program (wall); "
            f"{agreement(lesson_output, output)}"
        )


if __name__ == "__main__":
    main()
