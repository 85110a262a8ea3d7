"""The results table of notebook 05: every row of ``ngram_helpers.experiments`` on one split.

Writes one CSV line per row (name, description, the exact command that reproduces it, its
configuration as JSON, seed, parameters, training steps, CPU seconds, val and test loss) and a
sidecar JSON (same name, ``.json``) with each MLP row's loss curves and 200 names sampled from
it. Rows are written as soon as they finish, so an interrupted run
keeps what it measured; ``--rows`` re-runs some rows and keeps the others already in the file,
and several runs may fill one table at once (each adds its row under a file lock)::

    python tools/results_table.py --data datasets/names --out results/names.csv
    python tools/results_table.py --rows count-3,mlp-lesson-2k --out results/names.csv
    python tools/results_table.py --seed 1338 --out results/names-seed1338.csv

``--seed`` trains the MLP rows and the mixtures (only those; a mixture's MLPs) from another
initialisation seed than the table's 1337: the tables of several seeds give each row's
seed-to-seed spread.

From the command line torch runs single-threaded, so CPU seconds compare across rows. Each MLP
is also saved to ``checkpoints/<out stem>-<row>.pt`` (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from ngram_helpers.checkpoint import save_checkpoint
from ngram_helpers.data import DatasetError, load_names
from ngram_helpers.experiments import (
    ROWS,
    get_row,
    new_name_share,
    run_row,
    samples,
    with_seed,
)
from ngram_helpers.files import atomic_write
from ngram_helpers.results import COLUMNS, read_sidecar, read_table, sidecar_path


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` while inside (a lock file in the temporary folder)."""
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"results_table-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_table(path: Path, lines: dict[str, dict[str, str]]) -> None:
    """Write the rows in the order of ``ROWS`` (unknown names last)."""
    order = [r.name for r in ROWS]
    names = sorted(lines, key=lambda n: order.index(n) if n in order else len(order))
    with tempfile.SpooledTemporaryFile(mode="w+", newline="") as buffer:
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for name in names:
            writer.writerow(lines[name])
        buffer.seek(0)
        with atomic_write(path, newline="") as f:
            f.write(buffer.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="datasets/names", help="folder with train/val/test.txt")
    parser.add_argument("--out", default="results/names.csv", help="CSV to write or update")
    parser.add_argument("--rows", help="comma-separated row names (default: all)")
    parser.add_argument("--seed", type=int, help="initialise the MLPs (and mixtures') from it")
    args = parser.parse_args(argv)
    try:
        rows = [get_row(n) for n in args.rows.split(",")] if args.rows else ROWS
        if args.seed is not None:
            seeded = ("mlp", "mixture")
            rows = [with_seed(row, args.seed) for row in rows if args.rows or row.kind in seeded]
        data = load_names(args.data)
        out = Path(args.out)
        read_table(out)  # refuse a table, or its sidecar, that is not one before any work
        read_sidecar(out)
    except (KeyError, DatasetError, ValueError) as err:
        print(f"error: {err.args[0] if isinstance(err, KeyError) else err}", file=sys.stderr)
        return 1
    sidecar = sidecar_path(out)
    for row in rows:
        result = run_row(row, data)
        seed = "" if args.seed is None else f" --seed {args.seed}"
        command = (
            f"python tools/results_table.py --data {args.data} --out {args.out} "
            f"--rows {row.name}{seed}"
        )
        line = {
            "name": row.name,
            "description": row.description,
            "command": command,
            "config": json.dumps({**row.config(), **result.extra}, sort_keys=True),
            "seed": "" if result.seed is None else result.seed,
            "parameters": result.parameters,
            "steps": result.steps,
            "cpu_seconds": f"{result.cpu_seconds:.1f}",
            "val_loss": f"{result.val_loss:.6f}",
            "test_loss": f"{result.test_loss:.6f}",
        }
        with locked(out):  # several runs may fill one table: re-read, add this row, write
            lines = read_table(out)
            lines[row.name] = line
            extra = read_sidecar(out)
            extra["data_fingerprint"] = data.fingerprint()
            if result.history is not None:
                h = result.history
                curve = {"step": h.step, "val_loss": h.val_loss, "train_loss": h.train_loss}
                extra.setdefault("curves", {})[row.name] = curve
            if result.model is not None:
                names = samples(result.model, data)
                extra.setdefault("samples", {})[row.name] = {
                    "names": names,
                    "new_share": new_name_share(names, data),
                }
            write_table(out, lines)
            with atomic_write(sidecar) as f:
                f.write(json.dumps(extra, indent=1, sort_keys=True) + "\n")
        if result.model is not None:
            path = Path("checkpoints") / f"{out.stem}-{row.name}.pt"
            save_checkpoint(path, result.model, data, row.train, result.history, overwrite=True)
        print(
            f"{row.name:16s} val {result.val_loss:.4f} test {result.test_loss:.4f} "
            f"cpu {result.cpu_seconds:7.1f}s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    torch.set_num_threads(1)
    sys.exit(main())
