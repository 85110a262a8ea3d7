"""The Chinese edition: ``notebooks/zh/*.ipynb`` built from the English notebooks and translations.

Each notebook has one translation file, ``notebooks/zh/translations/<notebook>.md``, which a
translator reads and edits as plain markdown: for every markdown cell of the English notebook, in
order, the English text and, below it, the Chinese. A Chinese notebook is the English notebook
with each markdown cell replaced by its translation: code cells, their outputs and the metadata
are copied as they are, so both editions show the same run. The first cell gains a line linking
the glossary and the English original, and relative links to files outside ``notebooks/`` get
one more ``../``, since the Chinese notebooks sit one folder deeper.

The file starts with a short header for the translator (what to edit, what not to touch, what to
run afterwards), then one entry per cell. Each block of an entry follows a marker line, an HTML
comment on a line of its own (invisible on GitHub) that names the cell's index, the first 12 hex
digits of the SHA-256 of the cell's English (``SHORT``; two different cells whose English share
them are an error) and the block: ``en``, ``zh``, and, beside an edited cell only, ``was-en`` and
``was-zh``. The file ends with an end line. From ``01_mlp_basics.md``, shortened::

    <!-- cell 6 · 5bfa64899b52 · en -->
    ## 2 · Activation functions

    Without an activation, a hidden layer adds nothing. [...]

    <!-- cell 6 · 5bfa64899b52 · zh -->
    ## 2 · 激活函数

    没有激活函数，隐藏层就毫无作用。[...]

    [...]
    <!-- end of translations -->

A block's text is everything between its marker line and the next one, less the newline that ends
its last line and the blank line written before the next marker, so a cell's text is kept exactly
(a heading, a code fence or a ``<!-- comment -->`` inside a cell is only text: the file is divided
only by these exact marker lines, and a text holding one cannot be written). An empty ``zh``
block is a cell still to translate. The English blocks must not be edited: reading a file whose
English no longer matches its marker's hash fails, naming the line.

A translation is found by the hash of the English it was written for: when an English cell
changes, its old translation no longer applies. ``update`` then leaves the ``zh`` block empty for
the translator and, if an unused old entry's English is close to the new English (an edited
cell), keeps that old English and Chinese beside it as ``was-en`` and ``was-zh``::

    python tools/translate.py update   # add entries for new or changed English cells
    python tools/translate.py build    # write each fully translated notebooks/zh/*.ipynb;
                                       # exit 1 naming every cell without a current translation
    python tools/translate.py check    # the same list, writing nothing; exit 1 if anything
    python tools/translate.py update 02   # any command, for some notebooks only

``make zh`` runs the three in turn: after editing the English notebooks (``make notebooks`` ends
with it) run it, fill in the empty ``zh`` blocks it names, and run it again until it passes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path
from typing import NamedTuple

import nbformat

from ngram_helpers.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = CHINESE / "translations"
GLOSSARY = "glossary.md"
# [text](target): a markdown link or image whose target is a relative path (not a URL or #anchor)
LINK = re.compile(r"(\]\()(?![a-z]+:|#|/)([^)\s]+)(\))")

SHORT = 12  # hex digits of the English text's SHA-256 that a marker line carries
BLOCKS = ("en", "zh", "was-en", "was-zh")
MARKER = re.compile(rf"^<!-- cell (\d+) · ([0-9a-f]{{{SHORT}}}) · ({'|'.join(BLOCKS)}) -->$", re.M)
END = "<!-- end of translations -->"
# a marker line or the end line: the only lines that divide a translation file
DIVIDER = re.compile(rf"{MARKER.pattern}|^{re.escape(END)}$", re.M)

HEADER = """\
# {name} · 中文译文 / Chinese translation

译者须知：
- 只修改每个 `zh` 标记下面的中文；中文为空表示该单元格待翻译。\
标记行在 GitHub 的渲染视图里看不见，请编辑源文件。
- 不要改动 `<!-- cell … -->` 标记行和英文（`en`）；\
`was-en`、`was-zh` 是英文改动前的原文和旧译文，仅供参考。
- 改完后在仓库根目录运行 `make zh`：它重建 `notebooks/zh/`，并逐个列出仍待翻译的单元格。

For translators:
- Edit only the Chinese under each `zh` marker; an empty one is a cell to translate. The markers
  are hidden in GitHub's rendered view: edit the file's source.
- Do not change the `<!-- cell … -->` marker lines or the English (`en`); `was-en` and `was-zh`
  hold an edited cell's former English and its old translation, for reference.
- Then run `make zh` in the repository root: it rebuilds `notebooks/zh/` and names each cell still
  to translate.

"""


class TranslationError(Exception):
    """A translation file that cannot be read or written as it stands; the message says why."""


class Was(NamedTuple):
    """The English an entry's cell had before it changed, and that English's translation."""

    en: str
    zh: str


class Entry(NamedTuple):
    """One markdown cell of an English notebook: its index, its English and its Chinese."""

    cell: int
    en: str
    zh: str = ""
    was: Was | None = None

    @property
    def sha256(self) -> str:
        """The SHA-256 of the English: what the translation is found by."""
        return sha256(self.en)

    @property
    def done(self) -> bool:
        """Whether the cell is translated: an empty or blank Chinese block is still to do."""
        return bool(self.zh.strip())


def english_notebooks() -> list[Path]:
    """The English notebooks of the series, in order."""
    return sorted(ENGLISH.glob("[0-9]*.ipynb"))


def sha256(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def short_hash(text: str) -> str:
    """The part of ``text``'s SHA-256 that marker lines carry."""
    return sha256(text)[:SHORT]


def translation_path(notebook: Path) -> Path:
    """Where the translations of ``notebook`` are kept."""
    return TRANSLATIONS / f"{notebook.stem}.md"


def check_short_hashes(texts: list[tuple[int, str]], where: str) -> None:
    """Raise if two different texts of (cell, text) share a short hash (a marker would be
    ambiguous); the same text in two cells shares its translation and is fine."""
    seen: dict[str, tuple[int, str]] = {}
    for cell, text in texts:
        first = seen.setdefault(short_hash(text), (cell, text))
        if first[1] != text:
            raise TranslationError(
                f"{where}: cells {first[0]} and {cell} differ but their English has the same "
                f"short hash {short_hash(text)}; raise SHORT in tools/translate.py"
            )


def check_storable(text: str, where: str) -> None:
    """Raise unless ``text`` reads back exactly: no line of it may divide the file."""
    if DIVIDER.search(text) or "\r" in text:
        raise TranslationError(
            f"{where}: a line of the text is a marker line (or holds a carriage return), "
            "so the translation file could not keep it"
        )


def format_entries(name: str, entries: list[Entry]) -> str:
    """The text of the translation file of notebook ``name`` holding ``entries``."""
    check_short_hashes([(e.cell, e.en) for e in entries], name)
    parts = [HEADER.format(name=name)]
    for entry in entries:
        blocks = [("en", entry.en), ("zh", entry.zh)]
        if entry.was is not None:
            blocks += [("was-en", entry.was.en), ("was-zh", entry.was.zh)]
        for block, text in blocks:
            check_storable(text, f"{name} cell {entry.cell} ({block})")
            parts.append(f"<!-- cell {entry.cell} · {short_hash(entry.en)} · {block} -->\n")
            parts.append(text + "\n\n")
    parts.append(END + "\n")
    return "".join(parts)


class Block(NamedTuple):
    """One block of a translation file: its marker's line number, cell, short hash and kind."""

    line: int
    cell: int
    short: str
    kind: str
    text: str


def split_blocks(text: str, where: str) -> list[Block]:
    """The blocks of a translation file's ``text``, in order; the header before the first
    marker is left out."""
    dividers = list(DIVIDER.finditer(text))
    if not dividers or dividers[-1].group(0) != END:
        raise TranslationError(f"{where}: the last line must be {END!r}")
    blocks = []
    for marker, following in zip(dividers, dividers[1:], strict=False):
        line = text.count("\n", 0, marker.start()) + 1
        if marker.group(0) == END:
            raise TranslationError(f"{where}:{line}: {END!r} before the end of the file")
        body = text[marker.end() + 1 : following.start()]
        body = body.removesuffix("\n").removesuffix("\n")  # its last newline, the blank line
        blocks.append(Block(line, int(marker.group(1)), marker.group(2), marker.group(3), body))
    return blocks


def entry_from(blocks: list[Block], where: str) -> Entry:
    """The entry that ``blocks`` (en, zh and perhaps was-en, was-zh) of one cell make."""
    first = blocks[0]
    kinds = tuple(b.kind for b in blocks)
    if kinds not in (BLOCKS[:2], BLOCKS):
        raise TranslationError(
            f"{where}:{first.line}: cell {first.cell} has the blocks {', '.join(kinds)}; "
            "expected en, zh and perhaps was-en, was-zh, in that order"
        )
    for block in blocks:
        if (block.cell, block.short) != (first.cell, first.short):
            raise TranslationError(f"{where}:{block.line}: a marker of another cell's entry")
    if first.short != short_hash(first.text):
        raise TranslationError(
            f"{where}:{first.line}: the English of cell {first.cell} is not the English its "
            "marker was written for; restore it (only the Chinese blocks may be edited)"
        )
    was = Was(blocks[2].text, blocks[3].text) if len(blocks) == 4 else None
    return Entry(first.cell, first.text, blocks[1].text, was)


def parse_entries(text: str, where: str) -> list[Entry]:
    """The entries of a translation file's ``text``; ``where`` names the file in errors."""
    blocks = split_blocks(text, where)
    entries, start = [], 0
    while start < len(blocks):
        has_was = start + 2 < len(blocks) and blocks[start + 2].kind == "was-en"
        size = 4 if has_was else 2
        entries.append(entry_from(blocks[start : start + size], where))
        start += size
    check_short_hashes([(e.cell, e.en) for e in entries], where)
    return entries


def shown(path: Path) -> str:
    """``path`` as printed: relative to the repository if it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def read_translations(notebook: Path) -> list[Entry]:
    """The entries of ``notebook``'s translation file; none if it has none yet."""
    path = translation_path(notebook)
    if not path.exists():
        return []
    return parse_entries(path.read_text(encoding="utf-8"), shown(path))


def write_translations(notebook: Path, entries: list[Entry]) -> None:
    """Write ``entries`` as ``notebook``'s translation file."""
    text = format_entries(notebook.name, entries)
    with atomic_write(translation_path(notebook), encoding="utf-8", newline="\n") as f:
        f.write(text)


def markdown_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every markdown cell."""
    return [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == "markdown"]


def translated(entries: list[Entry]) -> dict[str, str]:
    """The Chinese of every translated entry, by the SHA-256 of its English."""
    return {e.sha256: e.zh for e in entries if e.done}


def problems(notebook: Path) -> list[str]:
    """One line per markdown cell of ``notebook`` without a current translation."""
    english = nbformat.read(notebook, as_version=4)
    done = translated(read_translations(notebook))
    found = []
    for index, source in markdown_cells(english):
        if sha256(source) not in done:
            first = source.strip().splitlines()[0] if source.strip() else "(empty)"
            found.append(f"{notebook.name} cell {index}: no translation of {first[:70]!r}")
    return found


def closest(source: str, candidates: list[Entry]) -> Entry | None:
    """The candidate whose English is most like ``source``, if at least half of it is alike."""
    score = {id(e): SequenceMatcher(None, e.en, source).ratio() for e in candidates}
    best = max(candidates, key=lambda e: score[id(e)], default=None)
    return best if best is not None and score[id(best)] >= 0.5 else None


def update(notebook: Path) -> int:
    """Rewrite the translation file: one entry per markdown cell, new or changed ones empty.
    Returns how many entries are still to translate."""
    english = nbformat.read(notebook, as_version=4)
    cells = markdown_cells(english)
    check_short_hashes(cells, notebook.name)
    old = read_translations(notebook)
    by_hash = {e.sha256: e for e in old}
    current = {sha256(source) for _, source in cells}
    unused = [e for e in old if e.sha256 not in current and e.done]
    entries = []
    for index, source in cells:
        entry = by_hash.get(sha256(source))
        if entry is None:
            previous = closest(source, unused)
            was = Was(previous.en, previous.zh) if previous is not None else None
            entry = Entry(index, source, "", was)
        entries.append(Entry(index, entry.en, entry.zh, entry.was))
    write_translations(notebook, entries)
    return sum(not e.done for e in entries)


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
    """The line the first cell of a Chinese notebook gains: the glossary and the original."""
    return (
        f"\n\n> 术语表（中英对照）见 [{GLOSSARY}]({GLOSSARY})；"
        f"英文原版：[{notebook.name}](../{notebook.name})。"
    )


def chinese_notebook(notebook: Path) -> nbformat.NotebookNode:
    """The Chinese edition of ``notebook``; KeyError names the first cell without translation."""
    english = nbformat.read(notebook, as_version=4)
    zh = translated(read_translations(notebook))
    built = copy.deepcopy(english)
    for index, source in markdown_cells(english):
        if sha256(source) not in zh:
            raise KeyError(f"{notebook.name} cell {index} has no current translation")
        text = relink(zh[sha256(source)])
        built.cells[index].source = text + (header(notebook) if index == 0 else "")
    return built


def build(notebook: Path) -> None:
    """Write the Chinese edition of ``notebook`` to ``notebooks/zh/``."""
    with atomic_write(CHINESE / notebook.name, encoding="utf-8") as f:
        nbformat.write(chinese_notebook(notebook), f)


def run(command: str, notebooks: list[Path]) -> int:
    """Run ``command`` on ``notebooks``; the exit status (1: cells to translate)."""
    if command == "update":
        for notebook in notebooks:
            print(f"{shown(translation_path(notebook))}: {update(notebook)} to translate")
        return 0
    missing = []
    for notebook in notebooks:
        lines = problems(notebook)
        if command == "build" and not lines:
            build(notebook)
            print(f"wrote {shown(CHINESE / notebook.name)}")
        missing += lines
    for line in missing:
        print(line, file=sys.stderr)
    if missing:
        print(
            f"{len(missing)} cells to translate: fill in their empty zh blocks in "
            f"{shown(TRANSLATIONS)}/ (python tools/translate.py update adds them), then make zh",
            file=sys.stderr,
        )
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    """The command line: ``update``, ``build`` or ``check``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("update", "build", "check"))
    parser.add_argument(
        "only", nargs="*", help="notebook numbers or names (e.g. 02); all notebooks if none"
    )
    args = parser.parse_args(argv)
    chosen = [
        n for n in english_notebooks() if not args.only or n.stem.startswith(tuple(args.only))
    ]
    if not chosen:
        parser.error(f"no notebook starts with {', '.join(args.only)}")
    try:
        return run(args.command, chosen)
    except TranslationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
