"""The Chinese edition (notebooks/zh/): the English notebooks with their words translated.

Fails when an English markdown cell changed since its translation was written (naming the cell
and showing the new English), when a cell has no translation, when Chinese code differs from the
English in more than comments, translated strings and the language switch, when the outputs of
the two editions differ in a number, when a Chinese notebook was not executed with its code, or
when a built notebook is not what tools/translate.py builds now. The translation files
(notebooks/zh/translations/*.md and *.code.md) keep every cell's text exactly, and ``build``
fails naming each cell still to translate.
"""

import re
from collections import Counter

import nbformat
import pytest

from tests.conftest import ROOT
from tools import translate

NOTEBOOKS = translate.english_notebooks()
ids = [p.stem for p in NOTEBOOKS]


def english_translated_before(entries, index: int, source: str) -> str | None:
    """The English that cell ``index`` had when it was last translated, if the file knows it."""
    entry = next((e for e in entries if e.cell == index), None)
    if entry is not None and entry.was is not None:
        return entry.was.en  # update kept it beside the changed cell
    return entry.en if entry is not None and entry.en != source else None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_every_markdown_cell_has_a_current_translation(notebook):
    english = nbformat.read(notebook, as_version=4)
    entries = translate.read_translations(notebook)
    done = translate.translated(entries)
    stale = []
    for index, source in translate.markdown_cells(english):
        if translate.sha256(source) not in done:
            old = english_translated_before(entries, index, source)
            was = f"\n  translated English was:\n{old}" if old else " (never translated)"
            stale.append(f"cell {index}, English now:\n{source}{was}")
    assert not stale, (
        f"{notebook.name}: {len(stale)} markdown cells without a current translation; run "
        "make zh, translate the empty zh blocks it names, then make zh again\n\n"
        + "\n\n".join(stale)
    )


def code_pairs(notebook):
    """(English, Chinese) of each code cell of ``notebook``, the Chinese without the switch."""
    english = nbformat.read(notebook, as_version=4)
    chinese = nbformat.read(translate.CHINESE / notebook.name, as_version=4)
    assert len(chinese.cells) == len(english.cells), "the editions have different cells"
    pairs = []
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells, strict=True)):
        assert zh.cell_type == en.cell_type, f"cell {index}: {zh.cell_type} in Chinese"
        if en.cell_type == "code":
            assert zh.metadata == en.metadata, f"cell {index}: the cell's tags differ"
            pairs.append((index, en, zh))
    return pairs


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_the_chinese_code_differs_only_in_words(notebook):
    """Token for token the English code, but for comments, the strings the code translation
    file translates, and the language switch of the first code cell."""
    given = translate.translated(translate.read_code_translations(notebook))
    pairs = code_pairs(notebook)
    first = pairs[0][2].source.split("\n")
    assert first.count(translate.LANGUAGE_IMPORT) == first.count(translate.LANGUAGE_CALL) == 1
    for number, (index, en, zh) in enumerate(pairs):
        source = translate.without_language_switch(zh.source) if number == 0 else zh.source
        expected = given.get(translate.sha256(en.source), en.source)
        if number == 0:
            expected = translate.without_language_switch(translate.with_language_switch(expected))
        assert source == expected, f"cell {index}: not the code the translation files give"
        assert translate.LANGUAGE_CALL not in source, f"cell {index}: a second language switch"
        assert not translate.code_differences(en.source, source), f"cell {index}"


# a number a learner reads: a run of digits, in a printout, a table or a widget's text
NUMBER = re.compile(r"\d+")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # an object's address, different in every run


def output_numbers(cell) -> tuple[list[str], Counter]:
    """The kinds of a code cell's outputs, and the numbers their text shows."""
    kinds, text = [], []
    for output in cell.outputs:
        if output.output_type == "stream":
            kinds.append(output.name)
            text.append(output.text)
        elif output.output_type == "error":
            kinds.append("error")
            text.append(output.evalue)
        else:
            kinds.append(" ".join(sorted(output.data)))
            text.append(output.data.get("text/plain", ""))
    return kinds, Counter(NUMBER.findall(ADDRESS.sub("", "\n".join(text))))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_the_outputs_differ_from_the_english_only_in_words(notebook):
    """Each code cell shows the same kinds of output (text, picture, widget) in both editions,
    and its text the same numbers, in any order (Chinese words go round them differently);
    cells that measure time (tagged ``timing``) print other times on every run."""
    for index, en, zh in code_pairs(notebook):
        if "timing" in en.metadata.get("tags", []):
            continue
        (en_kinds, en_numbers), (zh_kinds, zh_numbers) = output_numbers(en), output_numbers(zh)
        assert zh_kinds == en_kinds, f"cell {index}: other kinds of output in Chinese"
        assert zh_numbers == en_numbers, (
            f"cell {index}: numbers only in English {sorted((en_numbers - zh_numbers).elements())}"
            f", only in Chinese {sorted((zh_numbers - en_numbers).elements())}"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_the_chinese_notebook_was_executed_with_its_code(notebook):
    chinese = nbformat.read(translate.CHINESE / notebook.name, as_version=4)
    assert not translate.needs_execution(chinese), (
        f"notebooks/zh/{notebook.name} was not executed with its current code: run "
        f"make notebooks NB=notebooks/{notebook.name}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_the_built_notebook_is_what_the_tool_builds_now(notebook):
    built = nbformat.writes(translate.chinese_notebook(notebook)) + "\n"
    stored = (translate.CHINESE / notebook.name).read_text(encoding="utf-8")
    assert stored == built, f"notebooks/zh/{notebook.name} is stale: run make zh"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_links_resolve_and_the_glossary_is_linked(notebook):
    chinese = nbformat.read(translate.CHINESE / notebook.name, as_version=4)
    text = "\n".join(c.source for c in chinese.cells if c.cell_type == "markdown")
    assert f"]({translate.GLOSSARY})" in chinese.cells[0].source
    for target in translate.LINK.findall(text):
        path = target[1].split("#")[0]
        if path:
            assert (translate.CHINESE / path).exists(), f"a link to {path} leads nowhere"


def test_the_glossary_and_readmes_link_each_other():
    glossary = (translate.CHINESE / translate.GLOSSARY).read_text(encoding="utf-8")
    assert re.search(r"\| *多层感知机 *\| *multilayer perceptron", glossary)
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text().split("\n\n")[1]
    assert "(README.md)" in (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def test_translation_files_are_well_formed():
    """One markdown file per English notebook (no JSON beside it), each read without error: its
    markers in order, each English block the text its marker's hash was written for."""
    notebooks = {p.stem for p in translate.english_notebooks()}
    assert not list(translate.TRANSLATIONS.glob("*.json")), "translations are kept as .md only"
    for path in sorted(translate.TRANSLATIONS.glob("*.md")):
        stem = path.name.removesuffix(".md").removesuffix(".code")
        header = translate.CODE_HEADER if path.name.endswith(".code.md") else translate.HEADER
        assert stem in notebooks, f"{path.name} translates no notebook"
        text = path.read_text(encoding="utf-8")
        entries = translate.parse_entries(text, path.name)
        assert entries, f"{path.name} has no entries"
        assert translate.format_entries(f"{stem}.ipynb", entries, header) == text, (
            f"{path.name} is not as tools/translate.py writes it: run make zh"
        )


# Awkward cell texts: each must come back exactly from a translation file.
AWKWARD = [
    "# heading\n\nA paragraph under a level-1 heading.",
    "## 2 · Heading\n\n### and a smaller one\n",
    "```python\n# a comment, not a heading\nx = 1\n```",
    "<!-- something -->\n<!-- cell 3 -->\n<!-- cell 3 · abc · zh -->",
    "text\n<!-- end -->\ntext",
    "",
    "\n",
    "\n\n",
    "no trailing newline",
    "one trailing newline\n",
    "two trailing newlines\n\n",
    "\n\nleading blank lines",
    "   indented\n\ttab\n",
    "$$\\sum_i x_i$$ and `<!-- x -->` inline, 中文与 emoji ✓",
]


def entries_for(texts: list[str]):
    """One entry per text, its Chinese and an old version made from it too."""
    Entry, Was = translate.Entry, translate.Was
    entries = [Entry(2 * i, f"{i}:{t}", t, None) for i, t in enumerate(texts)]
    entries += [Entry(100 + i, t, f"zh {t}", Was(t + "x", t)) for i, t in enumerate(texts)]
    return entries + [Entry(200, "", "", Was("", ""))]


@pytest.mark.parametrize("text", AWKWARD, ids=range(len(AWKWARD)))
def test_a_translation_file_keeps_every_text_exactly(text):
    entries = entries_for([text])
    written = translate.format_entries("00_test.ipynb", entries)
    assert translate.parse_entries(written, "00_test.md") == entries


def test_all_awkward_texts_in_one_file_round_trip():
    entries = entries_for(AWKWARD)
    written = translate.format_entries("00_test.ipynb", entries)
    assert translate.parse_entries(written, "00_test.md") == entries
    assert written.startswith("# 00_test.ipynb")  # the header for the translator
    assert "make zh" in written.split("\n<!-- cell ")[0]


def test_the_file_keeps_a_translators_chinese_without_blank_line():
    """A translator who types the Chinese right above the next marker loses nothing."""
    entry = translate.Entry(0, "Hello")
    written = translate.format_entries("00_test.ipynb", [entry])
    edited = written.replace("· zh -->\n\n\n", "· zh -->\n你好\n")
    assert translate.parse_entries(edited, "00_test.md") == [entry._replace(zh="你好")]


def test_a_text_holding_a_marker_line_is_refused():
    marker = "<!-- cell 0 · 0123456789ab · zh -->"
    entry = translate.Entry(0, f"before\n{marker}\nafter")
    with pytest.raises(translate.TranslationError, match="marker line"):
        translate.format_entries("00_test.ipynb", [entry])


def test_edited_english_and_broken_markers_are_named():
    written = translate.format_entries("00_test.ipynb", [translate.Entry(3, "Hello", "你好")])
    with pytest.raises(translate.TranslationError, match="00_test.md:.*English of cell 3"):
        translate.parse_entries(written.replace("Hello", "Hallo"), "00_test.md")
    broken = re.sub(r"<!-- cell 3 · \w+ · zh -->\n", "", written)
    with pytest.raises(translate.TranslationError, match="expected en, zh"):
        translate.parse_entries(broken, "00_test.md")
    with pytest.raises(translate.TranslationError, match="end of translations"):
        translate.parse_entries(written.replace(translate.END, ""), "00_test.md")


def test_colliding_short_hashes_fail_clearly(monkeypatch):
    monkeypatch.setattr(translate, "short_hash", lambda text: "0" * translate.SHORT)
    same = [translate.Entry(0, "same"), translate.Entry(2, "same")]
    translate.format_entries("00_test.ipynb", same)  # one English in two cells: no collision
    with pytest.raises(translate.TranslationError, match="cells 0 and 2 differ.*short hash"):
        translate.format_entries(
            "00_test.ipynb", [translate.Entry(0, "a"), translate.Entry(2, "b")]
        )


def test_the_shipped_short_hashes_do_not_collide():
    for notebook in translate.english_notebooks():
        english = nbformat.read(notebook, as_version=4)
        translate.check_short_hashes(translate.markdown_cells(english), notebook.name)


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    """Two English notebooks in a scratch project, and the tool pointed at it."""
    english = tmp_path / "notebooks"
    monkeypatch.setattr(translate, "ROOT", tmp_path)
    monkeypatch.setattr(translate, "ENGLISH", english)
    monkeypatch.setattr(translate, "CHINESE", english / "zh")
    monkeypatch.setattr(translate, "TRANSLATIONS", english / "zh" / "translations")
    english.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        cells = [
            nbformat.v4.new_markdown_cell(f"# {name}\n\nIntro."),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("## Part two\n"),
        ]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), english / name)
    return english


def translate_all(notebook, zh: str) -> None:
    entries = translate.read_translations(notebook)
    translate.write_translations(notebook, [e._replace(zh=zh) for e in entries])


def test_build_fails_naming_each_cell_to_translate(tiny_project, capsys):
    first, second = sorted(tiny_project.glob("*.ipynb"))
    assert translate.main(["update"]) == 0
    translate_all(first, "中文")
    capsys.readouterr()
    assert translate.main(["build"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "02_b.ipynb cell 0: no translation of '# 02_b.ipynb'" in err
    assert "02_b.ipynb cell 2: no translation of '## Part two'" in err
    assert (tiny_project / "zh" / first.name).exists(), "a complete notebook is still built"
    assert not (tiny_project / "zh" / second.name).exists()
    assert translate.main(["check"]) == 1
    translate_all(second, "中文")
    assert translate.main(["build"]) == 0
    assert translate.main(["check"]) == 1, "the built notebooks are still to execute"
    assert "tools/run_notebooks.py notebooks/zh/01_a.ipynb" in capsys.readouterr().err
    for chinese in (tiny_project / "zh").glob("*.ipynb"):  # as executing them would leave them
        executed = nbformat.read(chinese, as_version=4)
        executed.cells[1].execution_count = 1
        nbformat.write(executed, chinese)
    assert translate.main(["build"]) == 0 and translate.main(["check"]) == 0
    built = nbformat.read(tiny_project / "zh" / second.name, as_version=4)
    assert built.cells[2].source == "中文" and built.cells[1].execution_count == 1
    assert (
        built.cells[1].source == f"{translate.LANGUAGE_IMPORT}\n\n{translate.LANGUAGE_CALL}\nx = 1"
    )


def test_update_keeps_the_old_version_of_an_edited_cell(tiny_project):
    notebook = sorted(tiny_project.glob("*.ipynb"))[0]
    translate.main(["update"])
    translate_all(notebook, "第二部分")
    english = nbformat.read(notebook, as_version=4)
    english.cells[2].source = "## Part two, edited\n"
    nbformat.write(english, notebook)
    before = translate.translation_path(notebook).read_text(encoding="utf-8")
    assert translate.update(notebook) == 1
    entry = translate.read_translations(notebook)[1]
    assert (entry.cell, entry.en, entry.zh) == (2, "## Part two, edited\n", "")
    assert entry.was == translate.Was("## Part two\n", "第二部分")
    text = translate.translation_path(notebook).read_text(encoding="utf-8")
    assert "· was-en -->" in text and "· was-zh -->" in text and text != before
    translate.update(notebook)  # a second update changes nothing
    assert translate.translation_path(notebook).read_text(encoding="utf-8") == text


def test_code_may_differ_in_comments_and_translated_strings_only():
    english = 'x = f"{n:>5} rows"  # count\nprint("done", x)\n'
    assert not translate.code_differences(english, 'x = f"{n:>5} 行"  # 计数\nprint("完成", x)\n')
    assert translate.code_differences(english, 'x = f"{n:>6} 行"\nprint("完成", x)\n')
    assert translate.code_differences(english, 'x = f"{m:>5} 行"\nprint("完成", x)\n')
    assert translate.code_differences(english, 'x = f"{n:>5} rows"\nprint("dune", x)\n')
    assert translate.code_differences(english, 'x = f"{n:>5} rows"\nprint("完成", y)\n')
    assert translate.code_differences(english, 'x = "{n:>5} 行"\nprint("完成", x)\n')
    header = "print(f\"{'val loss':>8}\")"
    assert not translate.code_differences(header, "print(f\"{'验证损失':>4}\")")


def test_the_language_switch_joins_the_imports_and_runs_first():
    source = (
        "import torch\n\nfrom ngram_helpers.data import x\nfrom ngram_helpers.plots import y\n\ny()"
    )
    switched = translate.with_language_switch(source).split("\n")
    assert switched == [
        "import torch",
        "",
        "from ngram_helpers.data import x",
        translate.LANGUAGE_IMPORT,
        "from ngram_helpers.plots import y",
        "",
        translate.LANGUAGE_CALL,
        "y()",
    ]
    assert translate.without_language_switch("\n".join(switched)) == source


def test_outputs_are_kept_only_as_far_as_the_code_is_unchanged():
    def notebook(*sources):
        cells = [nbformat.v4.new_code_cell(s, execution_count=i + 1) for i, s in enumerate(sources)]
        for cell in cells:
            cell.outputs = [nbformat.v4.new_output("stream", text=cell.source)]
        return nbformat.v4.new_notebook(cells=cells)

    stored, built = notebook("a", "b", "c"), notebook("a", "B", "c")
    translate.carry_outputs(built, stored)
    assert [c.execution_count for c in built.cells] == [1, None, None]
    assert [len(c.outputs) for c in built.cells] == [1, 0, 1]
    assert translate.needs_execution(built) and not translate.needs_execution(stored)


def test_a_code_cell_whose_words_are_still_english_fails_the_build(tiny_project, capsys):
    first, second = sorted(tiny_project.glob("*.ipynb"))
    english = nbformat.read(second, as_version=4)
    english.cells[1].source = 'print("hello")  # greet the reader'
    nbformat.write(english, second)
    translate.main(["update"])
    translate_all(first, "中文")
    translate_all(second, "中文")
    capsys.readouterr()
    assert translate.main(["build"]) == 1
    assert "02_b.ipynb code cell 1" in capsys.readouterr().err
    assert (tiny_project / "zh" / second.name).exists(), "the notebook is still built"
