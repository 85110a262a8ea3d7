"""The Chinese edition (notebooks/zh/) is the English notebooks with their markdown translated.

Fails when an English markdown cell changed since its translation was written (naming the cell
and showing the new English), when a cell has no translation, when a code cell or an output
differs between the editions, or when a built notebook is not what tools/translate.py builds now.
"""

import importlib.util
import json
import re

import nbformat
import pytest

from tests.conftest import ROOT

SPEC = importlib.util.spec_from_file_location("translate", ROOT / "tools" / "translate.py")
translate = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(translate)

# The notebooks translated so far (the edition grows one notebook at a time): those with a
# Chinese notebook built; tools/translate.py check lists what the others still need.
NOTEBOOKS = [p for p in translate.english_notebooks() if (translate.CHINESE / p.name).exists()]
ids = [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_every_markdown_cell_has_a_current_translation(notebook):
    english = nbformat.read(notebook, as_version=4)
    entries = translate.read_translations(notebook)
    done = {t["sha256"] for t in entries if t["zh"].strip()}
    stale = []
    for index, source in translate.markdown_cells(english):
        if translate.sha256(source) not in done:
            old = next((t["en"] for t in entries if t["cell"] == index), None)
            was = f"\n  translated English was:\n{old}" if old else " (never translated)"
            stale.append(f"cell {index}, English now:\n{source}{was}")
    assert not stale, (
        f"{notebook.name}: {len(stale)} markdown cells without a current translation; run "
        "python tools/translate.py update, translate the empty entries, then make notebooks\n\n"
        + "\n\n".join(stale)
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_code_and_outputs_are_the_english_ones(notebook):
    english = nbformat.read(notebook, as_version=4)
    chinese = nbformat.read(translate.CHINESE / notebook.name, as_version=4)
    assert len(chinese.cells) == len(english.cells), "the editions have different cells"
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells, strict=True)):
        assert zh.cell_type == en.cell_type, f"cell {index}: {zh.cell_type} in Chinese"
        if en.cell_type == "code":
            assert zh.source == en.source, f"cell {index}: the code differs"
            assert zh.outputs == en.outputs, f"cell {index}: the outputs differ"
            assert zh.metadata == en.metadata, f"cell {index}: the cell's tags differ"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_the_built_notebook_is_what_the_tool_builds_now(notebook):
    built = nbformat.writes(translate.chinese_notebook(notebook)) + "\n"
    stored = (translate.CHINESE / notebook.name).read_text(encoding="utf-8")
    assert stored == built, f"notebooks/zh/{notebook.name} is stale: run make notebooks"


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
    for path in sorted(translate.TRANSLATIONS.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for entry in payload["cells"]:
            assert entry["sha256"] == translate.sha256(entry["en"]), f"{path.name}: a bad hash"
