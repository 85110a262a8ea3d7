"""Every relative link in every notebook opens in the JupyterLab that ``make lab`` starts.

``make lab`` serves the learner's working copy, ``workspace/``, which holds the files
``tools/workspace.py`` copies (``COURSE``) in the repository's layout. A link such as an
exercise's ``../solutions/NN_name.py`` (``../../solutions/...`` from the Chinese edition, one
folder deeper) therefore opens only if it names one of those files: a file outside them is
outside the served folder, and JupyterLab answers 404. This test resolves each link from the
notebook's own path and asserts that it lands on a copied file.
"""

import json
import posixpath
import re
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT
from tools.workspace import copied_folders, course_files

NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("notebooks/zh/*.ipynb"))
SERVED = set(course_files(ROOT))
# code is not a link: fenced blocks, inline code, math
HIDDEN = re.compile(r"```.*?```|`[^`\n]+`|\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
LINKS = [
    re.compile(r"!?\[[^\]]*\]\(\s*<([^>]+)>"),  # [text](<target with spaces>)
    re.compile(r"!?\[[^\]]*\]\(\s*([^)\s<]+)"),  # [text](target "title"), ![image](target)
    re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^>\s]+)", re.MULTILINE),  # [label]: target
    re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']"""),  # <a href="...">, <img src="...">
]
EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")  # https:, mailto:, //host, #anchor


def relative_links(markdown: str) -> list[str]:
    """The relative link targets in ``markdown``, without their #anchor or ?query, decoded."""
    prose = HIDDEN.sub(" ", markdown)
    targets = [m.group(1) for pattern in LINKS for m in pattern.finditer(prose)]
    return [
        unquote(re.split(r"[#?]", target, maxsplit=1)[0])
        for target in targets
        if not EXTERNAL.match(target)
    ]


def links_of(notebook) -> list[tuple[int, str]]:
    """Each markdown cell's relative links, as (cell index, target)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        (index, target)
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "markdown"
        for target in relative_links("".join(cell["source"]))
    ]


def served_path(notebook, target: str) -> str:
    """Where ``target`` lands, relative to the repository (and so to the working copy)."""
    folder = notebook.parent.relative_to(ROOT).as_posix()
    return posixpath.normpath(posixpath.join(folder, target))


def test_links_are_found_and_code_urls_and_anchors_are_not():
    markdown = (
        "[a](../solutions/01.py) ![b](img/x.png) [c](<my file.md>) [d](https://x.org/y)\n"
        "[e](#section) [f](glossary.md#terms \"title\") `[g](no.py)` <a href='../h.ipynb'>h</a>\n"
        "[ref]: ../ref%20page.md\n```\n[i](no.py)\n```\n"
    )
    assert sorted(relative_links(markdown)) == [
        "../h.ipynb",
        "../ref page.md",
        "../solutions/01.py",
        "glossary.md",
        "img/x.png",
        "my file.md",
    ]


def test_links_resolve_from_the_notebook_folder():
    zh = ROOT / "notebooks" / "zh" / "01_mlp_basics.ipynb"
    assert served_path(zh, "../../solutions/01_mlp_basics.py") == "solutions/01_mlp_basics.py"
    assert served_path(zh, "../01_mlp_basics.ipynb") == "notebooks/01_mlp_basics.ipynb"
    assert served_path(zh, "../../README.md") == "README.md"


def test_every_notebook_is_served_and_links_somewhere():
    assert NOTEBOOKS and {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS} <= SERVED
    assert sum(len(links_of(notebook)) for notebook in NOTEBOOKS) > 0


@pytest.mark.parametrize(
    "notebook", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix()
)
def test_every_relative_link_opens_inside_the_served_working_copy(notebook):
    bad = []
    for index, target in links_of(notebook):
        path = served_path(notebook, target)
        if not (ROOT / path).is_file():
            bad.append(f"cell {index}: {target} -> {path}, which does not exist")
        elif path not in SERVED:
            bad.append(
                f"cell {index}: {target} -> {path}, which the working copy does not hold "
                f"(it copies {', '.join(copied_folders())}: see COURSE in tools/workspace.py)"
            )
    assert not bad, f"{notebook.name}: {len(bad)} dead links in `make lab`:\n" + "\n".join(bad)
