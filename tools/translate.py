"""The Chinese edition: ``notebooks/zh/*.ipynb`` built from the English notebooks and translations.

Each notebook has one translation file, ``notebooks/zh/translations/<notebook>.md``, which a
translator reads and edits as plain markdown: for every markdown cell of the English notebook, in
order, the English text and, below it, the Chinese. A Chinese notebook is the English notebook
with each markdown cell replaced by its translation. The first cell gains a line linking the
glossary and the English original, and relative links to files outside ``notebooks/`` get one
more ``../``, since the Chinese notebooks sit one folder deeper.

The code speaks Chinese too. A second file, ``notebooks/zh/translations/<notebook>.code.md``,
has one entry per code cell that holds words (a comment, or a string with a word in it): the
English code and, below it, the Chinese edition's code, the same but for its comments and the
strings a learner reads (printouts, table headers, figure titles, labels, legends). It is written
and read exactly like the markdown file (same markers, hashes and ``was-`` blocks); an empty
``zh`` block leaves that cell's English code in the Chinese edition (``make zh`` lists those),
and an entry whose English changed after it was translated is a cell to translate again, which
fails ``build`` and ``check`` like a markdown cell. ``code_differences`` holds the two together:
compared token by token with Python's tokenizer, the Chinese may differ only in comments and in
string literals that hold Chinese and keep the English's prefix and ``{…}`` fields (a field that
only shows a literal text, a table header, may change its text and width); ``build`` refuses
any other difference, naming the cell. The first code cell gains ``LANGUAGE_IMPORT`` and
``LANGUAGE_CALL`` (``set_language("zh")``), so that the checks, widgets and the library's
figures speak Chinese.

The Chinese notebooks are executed themselves (``make notebooks`` runs
``tools/run_notebooks.py`` on them after ``build``). ``build`` keeps a stored Chinese notebook's
outputs and execution counts as far as its code is unchanged (``carry_outputs``); from the first
changed code cell on the counts are cleared, and ``build`` and ``check`` name the notebooks to
execute again (``check`` fails on them). ``tests/notebooks/test_translations.py`` checks that the
two editions' outputs show the same numbers.

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
with it) run it, fill in the empty ``zh`` blocks it names, and run it again until it passes;
after translating code, ``make notebooks NB=notebooks/NN_name.ipynb`` executes both editions.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import io
import re
import sys
import tokenize
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

# The two lines the first code cell of a Chinese notebook gains: from them on, what the code says
# to the learner (checks, widgets, checkpoints, figures drawn by the library) is Chinese.
LANGUAGE_IMPORT = "from ngram_helpers.language import set_language"
LANGUAGE_CALL = 'set_language("zh")  # 检查的反馈、控件和图中的文字都用中文'
HAN = re.compile(r"[\u4e00-\u9fff]")
# a word of two letters or more: a string holding none has nothing to translate
WORD = re.compile(r"[A-Za-z]{2,}")

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


CODE_HEADER = """\
# {name} · 代码中的注释和文字 / comments and words in the code

译者须知：
- 每个条目是一个代码单元格：`en` 下面是英文版的代码，`zh` 下面是中文版的代码。\
把英文代码复制到 `zh` 下面，只翻译注释（`#` 之后）和学习者会读到的字符串\
（打印的句子和结论、表头、图的标题、坐标轴标签和图例），其余一个字符也不要改；\
没有要翻译的内容时，原样复制即可。`zh` 为空的单元格在中文版里暂时显示英文代码。
- 字符串里的 `{{…}}` 占位符要原样保留（顺序可以调整），数字用阿拉伯数字，\
每行不超过 100 个字符宽（一个汉字算两个）。
- 不要改动 `<!-- cell … -->` 标记行和英文（`en`）。改完后运行 `make zh`，\
再按它的提示运行 `make notebooks`，重新执行中文笔记本。

For translators:
- Each entry is a code cell: the English edition's code under `en`, the Chinese edition's under
  `zh`. Copy the English code under `zh` and translate only the comments and the strings a
  learner reads (printed sentences and verdicts, table headers, figure titles, axis labels,
  legends); change nothing else. A cell with nothing to translate is copied as it is. A cell
  whose `zh` is empty shows its English code in the Chinese edition for now.
- Keep every `{{…}}` field of a string (their order may change) and write numbers in digits;
  lines stay within 100 columns (a Chinese character takes two).
- Do not change the marker lines or the English. Then run `make zh`, and `make notebooks` when
  it says so, to execute the Chinese notebooks again.

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


def format_entries(name: str, entries: list[Entry], header: str = HEADER) -> str:
    """The text of the translation file of notebook ``name`` holding ``entries``."""
    check_short_hashes([(e.cell, e.en) for e in entries], name)
    parts = [header.format(name=name)]
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


def code_translation_path(notebook: Path) -> Path:
    """Where the translations of ``notebook``'s code cells (comments, strings) are kept."""
    return TRANSLATIONS / f"{notebook.stem}.code.md"


def read_entries(path: Path) -> list[Entry]:
    """The entries of the translation file ``path``; none if there is no such file yet."""
    if not path.exists():
        return []
    return parse_entries(path.read_text(encoding="utf-8"), shown(path))


def write_entries(path: Path, name: str, entries: list[Entry], header: str) -> None:
    """Write ``entries`` as the translation file ``path`` of notebook ``name``."""
    text = format_entries(name, entries, header)
    with atomic_write(path, encoding="utf-8", newline="\n") as f:
        f.write(text)


def read_translations(notebook: Path) -> list[Entry]:
    """The entries of ``notebook``'s translation file; none if it has none yet."""
    return read_entries(translation_path(notebook))


def write_translations(notebook: Path, entries: list[Entry]) -> None:
    """Write ``entries`` as ``notebook``'s translation file."""
    write_entries(translation_path(notebook), notebook.name, entries, HEADER)


def read_code_translations(notebook: Path) -> list[Entry]:
    """The entries of ``notebook``'s code translation file; none if it has none yet."""
    return read_entries(code_translation_path(notebook))


def markdown_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every markdown cell."""
    return [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == "markdown"]


def tokens(source: str) -> list[tokenize.TokenInfo]:
    """The Python tokens of a code cell's ``source``."""
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def has_words(source: str) -> bool:
    """Whether a code cell holds something to translate: a comment, or a string with a word."""
    return any(
        t.type == tokenize.COMMENT or (t.type == tokenize.STRING and WORD.search(t.string))
        for t in tokens(source)
    )


def wordy_code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every code cell that holds something to translate."""
    return [
        (i, c.source)
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code" and has_words(c.source)
    ]


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


def code_problems(notebook: Path) -> tuple[list[str], list[str]]:
    """The code cells of ``notebook`` whose translation is out of date (the English changed since
    it was translated) and those never translated (they show the English code); one line each."""
    stale, english = [], []
    for entry in read_code_translations(notebook):
        if not entry.done and entry.was is not None:
            first = next((line for line in entry.en.splitlines() if line.strip()), "(empty)")
            stale.append(f"{notebook.name} code cell {entry.cell}: {first[:60]!r}")
        elif not entry.done:
            english.append(f"{notebook.name} code cell {entry.cell}")
    return stale, english


def string_fields(string: str) -> list[str]:
    """The ``{…}`` fields of a string literal (an f-string's values and formats), sorted.

    A field that shows a literal text, such as a table header ``{'val loss':>8}``, counts as
    ``{text}``: its words may be translated, and its width fitted to them.
    """
    fields = []
    for node in ast.walk(ast.parse(string, mode="eval")):
        if isinstance(node, ast.FormattedValue):
            text = isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            fields.append("{text}" if text else ast.dump(node))
    return sorted(fields)


def string_prefix(string: str) -> str:
    """A string literal's prefix (``f``, ``rb``, ...), lower-cased."""
    return string[: len(string) - len(string.lstrip("rRbBuUfF"))].lower()


def code_differences(english: str, chinese: str) -> list[str]:
    """How the Chinese code differs from the English in more than words; empty if it does not.

    The two are compared token by token with Python's tokenizer, comments and line breaks
    inside brackets left out: every other token must be the same, except a string literal that
    was translated: it holds Chinese, has the same prefix and the same ``{…}`` fields.
    """
    skipped = (tokenize.COMMENT, tokenize.NL)
    try:
        en = [t for t in tokens(english) if t.type not in skipped]
        zh = [t for t in tokens(chinese) if t.type not in skipped]
    except (tokenize.TokenError, SyntaxError) as error:
        return [f"the code does not tokenize: {error}"]
    found = []
    for e, z in zip(en, zh, strict=False):
        if (e.type, e.string) == (z.type, z.string):
            continue
        where = f"line {z.start[0]}"
        if e.type != tokenize.STRING or z.type != tokenize.STRING:
            found.append(f"{where}: {z.string!r} where the English has {e.string!r}")
        elif not HAN.search(z.string):
            found.append(f"{where}: the string {z.string!r} differs but holds no Chinese")
        elif string_prefix(e.string) != string_prefix(z.string):
            found.append(f"{where}: the string {z.string!r} lost or gained a prefix")
        elif string_fields(e.string) != string_fields(z.string):
            found.append(f"{where}: the string {z.string!r} has other {{…}} fields")
    if len(en) != len(zh):
        found.append(f"{len(zh)} tokens where the English has {len(en)}")
    return found


def with_language_switch(source: str) -> str:
    """The first code cell with ``LANGUAGE_IMPORT`` among its imports (in sorted order) and
    ``LANGUAGE_CALL`` as its first statement after them."""
    lines = source.split("\n")
    imports = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
    if not imports:
        return "\n".join([LANGUAGE_IMPORT, "", LANGUAGE_CALL, *lines])
    after = [
        i
        for i in imports
        if lines[i].startswith("from ngram_helpers") and lines[i] > LANGUAGE_IMPORT
    ]
    lines.insert(after[0] if after else imports[-1] + 1, LANGUAGE_IMPORT)
    body = next((i for i in range(imports[-1] + 2, len(lines)) if lines[i].strip()), len(lines))
    lines.insert(body, LANGUAGE_CALL)
    return "\n".join(lines)


def without_language_switch(source: str) -> str:
    """The first code cell of a Chinese notebook without the two lines it gained."""
    return "\n".join(
        line for line in source.split("\n") if line not in (LANGUAGE_IMPORT, LANGUAGE_CALL)
    )


def carry_outputs(built: nbformat.NotebookNode, stored: nbformat.NotebookNode | None) -> None:
    """Give the code cells of ``built`` the outputs ``stored`` (the Chinese notebook as it was
    executed) has for them, in place.

    A cell keeps its outputs and execution count while its code and all code above it are
    unchanged. From the first changed code cell on, the counts are cleared (the notebook must be
    executed again: ``needs_execution``); a changed cell also loses its outputs, an unchanged one
    keeps them until then.
    """
    old = [c for c in stored.cells if c.cell_type == "code"] if stored is not None else []
    new = [c for c in built.cells if c.cell_type == "code"]
    same_so_far = True
    for index, cell in enumerate(new):
        before = old[index] if index < len(old) else None
        same = before is not None and before.source == cell.source
        same_so_far = same_so_far and same
        cell.outputs = copy.deepcopy(before.outputs) if same else []
        cell.execution_count = before.execution_count if same_so_far else None


def needs_execution(notebook: nbformat.NotebookNode) -> bool:
    """Whether a Chinese notebook's outputs are not those of one run from the top of its code."""
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    return counts != list(range(1, len(counts) + 1))


def closest(source: str, candidates: list[Entry]) -> Entry | None:
    """The candidate whose English is most like ``source``, if at least half of it is alike."""
    score = {id(e): SequenceMatcher(None, e.en, source).ratio() for e in candidates}
    best = max(candidates, key=lambda e: score[id(e)], default=None)
    return best if best is not None and score[id(best)] >= 0.5 else None


def update(notebook: Path) -> int:
    """Rewrite the translation files: one entry per markdown cell and per code cell with words,
    new or changed ones empty. Returns how many markdown entries are still to translate."""
    english = nbformat.read(notebook, as_version=4)
    entries = updated(markdown_cells(english), read_translations(notebook), notebook.name)
    write_translations(notebook, entries)
    code = updated(wordy_code_cells(english), read_code_translations(notebook), notebook.name)
    write_entries(code_translation_path(notebook), notebook.name, code, CODE_HEADER)
    return sum(not e.done for e in entries)


def updated(cells: list[tuple[int, str]], old: list[Entry], name: str) -> list[Entry]:
    """One entry per (index, English) of ``cells``: its translation from ``old`` if it has one,
    else an empty one, beside the old entry it was probably edited from (``was``)."""
    check_short_hashes(cells, name)
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
    return entries


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
    """The Chinese edition of ``notebook``; KeyError names the first cell without translation.

    Markdown from the translation file; code from the code translation file (the English code
    where a cell has no current translation), the first code cell with the language switch; the
    outputs those of the stored Chinese notebook, as far as its code is unchanged
    (``carry_outputs``). TranslationError names a translated cell whose code differs from the
    English in more than words.
    """
    english = nbformat.read(notebook, as_version=4)
    zh = translated(read_translations(notebook))
    built = copy.deepcopy(english)
    for index, source in markdown_cells(english):
        if sha256(source) not in zh:
            raise KeyError(f"{notebook.name} cell {index} has no current translation")
        text = relink(zh[sha256(source)])
        built.cells[index].source = text + (header(notebook) if index == 0 else "")
    code = translated(read_code_translations(notebook))
    for index, cell in enumerate(built.cells):
        if cell.cell_type == "code" and sha256(cell.source) in code:
            chinese = code[sha256(cell.source)]
            wrong = code_differences(cell.source, chinese)
            if wrong:
                raise TranslationError(
                    f"{shown(code_translation_path(notebook))}: the Chinese of code cell {index} "
                    f"differs from the English in more than words: {wrong[0]}"
                )
            cell.source = chinese
    first = next(cell for cell in built.cells if cell.cell_type == "code")
    first.source = with_language_switch(first.source)
    stored = CHINESE / notebook.name
    carry_outputs(built, nbformat.read(stored, as_version=4) if stored.exists() else None)
    return built


def build(notebook: Path) -> None:
    """Write the Chinese edition of ``notebook`` to ``notebooks/zh/``."""
    with atomic_write(CHINESE / notebook.name, encoding="utf-8") as f:
        nbformat.write(chinese_notebook(notebook), f)


def run(command: str, notebooks: list[Path]) -> int:
    """Run ``command`` on ``notebooks``; the exit status (1: cells to translate).

    A code cell with comments or words that has no Chinese yet counts as a cell to translate: the
    notebook is still built (its code shows the English words), but the command fails.
    """
    if command == "update":
        for notebook in notebooks:
            print(f"{shown(translation_path(notebook))}: {update(notebook)} to translate")
            stale, english = code_problems(notebook)
            print(
                f"{shown(code_translation_path(notebook))}: {len(stale)} to translate again, "
                f"{len(english)} still in English"
            )
        return 0
    missing, english, unexecuted = [], [], []
    for notebook in notebooks:
        lines, (stale, untranslated) = problems(notebook), code_problems(notebook)
        if command == "build" and not lines:
            build(notebook)
            print(f"wrote {shown(CHINESE / notebook.name)}")
        missing += lines + [f"{line}: its translation is out of date" for line in stale]
        english += untranslated
        chinese = CHINESE / notebook.name
        if chinese.exists() and needs_execution(nbformat.read(chinese, as_version=4)):
            unexecuted.append(shown(chinese))
    report(missing, english, unexecuted)
    return 1 if missing or english or (unexecuted and command == "check") else 0


def report(missing: list[str], english: list[str], unexecuted: list[str]) -> None:
    """Print what is left to do: cells to translate, code still in English, notebooks to run."""
    if english:
        print(
            f"{len(english)} code cells still show English comments or words (empty zh blocks "
            f"in {shown(TRANSLATIONS)}/*.code.md): {', '.join(english)}",
            file=sys.stderr,
        )
    for line in missing:
        print(line, file=sys.stderr)
    if missing:
        print(
            f"{len(missing)} cells to translate: fill in their empty zh blocks in "
            f"{shown(TRANSLATIONS)}/ (python tools/translate.py update adds them), then make zh",
            file=sys.stderr,
        )
    if unexecuted:
        print(
            f"their code changed since they were executed: {', '.join(unexecuted)}; run "
            f"python tools/run_notebooks.py {' '.join(unexecuted)} (make notebooks does it too)",
            file=sys.stderr,
        )


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
