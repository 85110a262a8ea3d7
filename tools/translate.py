"""The Chinese edition: ``notebooks/zh/*.ipynb`` built from the English notebooks and translations.

Each notebook has one translation file, ``notebooks/zh/translations/<notebook>.json``: for every
markdown cell of the English notebook, in order, the English text it translates (``en``), that
text's SHA-256 (``sha256``) and the Chinese (``zh``). A Chinese notebook is the English notebook
with each markdown cell replaced by its translation: code cells, their outputs and the metadata
are copied as they are, so both editions show the same run. The first cell gains a line linking
the glossary and the English original, and relative links to files outside ``notebooks/`` get
one more ``../``, since the Chinese notebooks sit one folder deeper.

A translation is found by the hash of the English it was written for: when an English cell
changes, its old translation no longer applies. ``update`` then leaves ``zh`` empty for the
translator and, if an unused old entry's English is close to the new English (an edited cell),
keeps that old English and Chinese beside it as ``was``::

    python tools/translate.py update            # add entries for new or changed English cells
    python tools/translate.py build             # write each fully translated notebooks/zh/*.ipynb
    python tools/translate.py check             # what is missing or stale; exit 1 if anything

``make notebooks`` runs ``build`` after re-executing the English notebooks.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

import nbformat

from ngram_helpers.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = CHINESE / "translations"
GLOSSARY = "glossary.md"
# [text](target): a markdown link or image whose target is a relative path (not a URL or #anchor)
LINK = re.compile(r"(\]\()(?![a-z]+:|#|/)([^)\s]+)(\))")


def english_notebooks() -> list[Path]:
    return sorted(ENGLISH.glob("[0-9]*.ipynb"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def translation_path(notebook: Path) -> Path:
    return TRANSLATIONS / f"{notebook.stem}.json"


def read_translations(notebook: Path) -> list[dict]:
    path = translation_path(notebook)
    return json.loads(path.read_text())["cells"] if path.exists() else []


def markdown_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every markdown cell."""
    return [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == "markdown"]


def problems(notebook: Path) -> list[str]:
    """One line per markdown cell of ``notebook`` without a current translation."""
    english = nbformat.read(notebook, as_version=4)
    done = {t["sha256"]: t for t in read_translations(notebook) if t["zh"].strip()}
    found = []
    for index, source in markdown_cells(english):
        if sha256(source) not in done:
            first = source.strip().splitlines()[0] if source.strip() else "(empty)"
            found.append(f"{notebook.name} cell {index}: no translation of {first[:70]!r}")
    return found


def closest(source: str, candidates: list[dict]) -> dict | None:
    """The candidate whose English is most like ``source``, if at least half of it is alike."""
    score = {id(t): SequenceMatcher(None, t["en"], source).ratio() for t in candidates}
    best = max(candidates, key=lambda t: score[id(t)], default=None)
    return best if best is not None and score[id(best)] >= 0.5 else None


def update(notebook: Path) -> int:
    """Rewrite the translation file: one entry per markdown cell, new or changed ones empty."""
    english = nbformat.read(notebook, as_version=4)
    old = read_translations(notebook)
    by_hash = {t["sha256"]: t for t in old}
    cells = markdown_cells(english)
    current = {sha256(source) for _, source in cells}
    unused = [t for t in old if t["sha256"] not in current and t["zh"].strip()]
    entries, empty = [], 0
    for index, source in cells:
        entry = by_hash.get(sha256(source))
        if entry is None:
            entry = {"cell": index, "sha256": sha256(source), "en": source, "zh": ""}
            previous = closest(source, unused)
            if previous is not None:
                entry["was"] = {"en": previous["en"], "zh": previous["zh"]}
        entry = {**entry, "cell": index}
        empty += not entry["zh"].strip()
        entries.append(entry)
    payload = {"notebook": notebook.name, "cells": entries}
    with atomic_write(translation_path(notebook), encoding="utf-8") as f:
        f.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return empty


def relink(text: str) -> str:
    """Relative links to files outside ``notebooks/`` rewritten for ``notebooks/zh/``."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        path = target.split("#")[0]
        sibling = path.endswith(".ipynb") and "/" not in path  # its Chinese twin is beside it
        if not path or sibling or (CHINESE / path).exists() or not (ENGLISH / path).exists():
            return match.group(0)
        return f"{match.group(1)}../{target}{match.group(3)}"

    return LINK.sub(fix, text)


def header(notebook: Path) -> str:
    return (
        f"\n\n> 术语表（中英对照）见 [{GLOSSARY}]({GLOSSARY})；"
        f"英文原版：[{notebook.name}](../{notebook.name})。"
    )


def chinese_notebook(notebook: Path) -> nbformat.NotebookNode:
    """The Chinese edition of ``notebook``; KeyError names the first cell without translation."""
    english = nbformat.read(notebook, as_version=4)
    zh = {t["sha256"]: t["zh"] for t in read_translations(notebook) if t["zh"].strip()}
    built = copy.deepcopy(english)
    for index, source in markdown_cells(english):
        if sha256(source) not in zh:
            raise KeyError(f"{notebook.name} cell {index} has no current translation")
        text = relink(zh[sha256(source)])
        built.cells[index].source = text + (header(notebook) if index == 0 else "")
    return built


def build(notebook: Path) -> None:
    with atomic_write(CHINESE / notebook.name, encoding="utf-8") as f:
        nbformat.write(chinese_notebook(notebook), f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("update", "build", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        for notebook in english_notebooks():
            empty = update(notebook)
            print(f"{translation_path(notebook).relative_to(ROOT)}: {empty} to translate")
        return 0
    missing = []
    for notebook in english_notebooks():
        lines = problems(notebook)
        if args.command == "build" and not lines:
            build(notebook)
            print(f"wrote {(CHINESE / notebook.name).relative_to(ROOT)}")
        missing += lines
    for line in missing:
        print(line, file=sys.stderr)
    # build: the untranslated cells are listed and the other notebooks built; check: exit 1
    return 1 if missing and args.command == "check" else 0


if __name__ == "__main__":
    sys.exit(main())
