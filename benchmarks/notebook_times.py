"""How long a learner waits for "Run All": each notebook executed top to bottom in a fresh kernel.

Prints each notebook's wall time and its three slowest cells, then the series' total. Nothing is
written back: the notebooks are executed in memory (``make notebooks`` is what stores outputs).
Run by hand, on a quiet machine, and quote the figures; never timed in tests::

    python benchmarks/notebook_times.py                  # the English notebooks (from the root)
    python benchmarks/notebook_times.py --zh             # the Chinese edition too
    python benchmarks/notebook_times.py notebooks/02_bengio_language_model.ipynb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = "ngram-helpers"


def run_all(path: Path) -> tuple[float, list[tuple[float, int, str]]]:
    """Execute ``path`` as Run All does; its wall time and (seconds, index, first line) per cell."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    cells = []
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            began = time.perf_counter()
            client.execute_cell(cell, index)
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            cells.append((time.perf_counter() - began, index, first[:60]))
    return time.perf_counter() - start, cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    parser.add_argument("--zh", action="store_true", help="the Chinese edition too")
    args = parser.parse_args()
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9]*.ipynb"))
    if args.zh and not args.notebooks:
        paths += sorted(Path("notebooks/zh").glob("[0-9]*.ipynb"))
    total = 0.0
    for path in paths:
        seconds, cells = run_all(path)
        total += seconds
        print(f"{path}: {seconds:6.1f} s")
        for cell_seconds, index, first in sorted(cells, reverse=True)[:3]:
            print(f"    cell {index:3d} {cell_seconds:6.1f} s  {first}")
    print(f"all {len(paths)} notebooks: {total:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
