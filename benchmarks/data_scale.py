"""What a larger names file costs before training starts: set-up time and peak memory.

A learner may bring a names file far larger than this project's (1.6 MB of training text). This
benchmark writes training files of the sizes asked for (names drawn at random, with repeats, from
``datasets/names/train.txt``; val and test are the project's own), then runs the command line's
10-step training on each in a fresh process and prints the wall time and the process's peak
memory (its maximum resident set size). Ten steps take milliseconds, so the figure is the
set-up: reading, checking and encoding the text, and building the batch and evaluation tables::

    python benchmarks/data_scale.py --sizes 5 50 500
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "datasets" / "names"


def write_names_folder(folder: Path, megabytes: float, seed: int = 0) -> None:
    """A names folder whose train.txt holds about ``megabytes`` MB of names."""
    folder.mkdir(parents=True)
    names = (NAMES / "train.txt").read_text().split()
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    with open(folder / "train.txt", "w") as out:
        written = 0
        while written < target:
            chunk = "\n".join(rng.choices(names, k=100_000)) + "\n"
            out.write(chunk)
            written += len(chunk)
    for split in ("val", "test"):
        shutil.copy(NAMES / f"{split}.txt", folder / f"{split}.txt")


def measure(folder: Path) -> tuple[float, float, int]:
    """(seconds, peak memory in GB, exit status) of a 10-step training run on ``folder``."""
    command = [sys.executable, "-m", "ngram_helpers", "train", "--data", str(folder)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--steps", "10", "--quiet"], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    if done.returncode:
        print(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1e6, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 50], help="MB of train.txt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for megabytes in sorted(args.sizes):  # ascending: each peak is that run's own
            folder = Path(scratch) / f"names-{megabytes:g}mb"
            write_names_folder(folder, megabytes)
            seconds, peak_gb, status = measure(folder)
            print(
                f"train.txt {megabytes:6g} MB: 10-step run {seconds:6.1f} s, "
                f"peak memory {peak_gb:5.2f} GB" + (f" (exit status {status})" if status else "")
            )
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
