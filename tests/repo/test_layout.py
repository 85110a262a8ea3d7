"""The package's shape: a library in reading order, and two subpackages it never imports.

``ngram_helpers/__init__.py`` lists the library's modules in reading order, each with the notebook
that first uses it; ``widgets/`` and ``exercises/`` list theirs the same way. These tests keep
those lists true: every module listed once, imports pointing down the list, the library free of
the widgets and the exercises, each tag naming a notebook that really uses the module, and a test
file for every module, named after it.
"""

import ast
import json
import re

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "ngram_helpers"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
# "name.py   what it holds (01, 02)": a module's line in a package docstring and its tags
LISTED = re.compile(r"^ *(?:\w+ +)?(\w+)\.py +.*?(?:\((\d\d(?:, \d\d)*)\))?$", re.MULTILINE)
SUBPACKAGES = ("widgets", "exercises")
# how a notebook names a module it runs without importing it (default: its file)
NAMED_BY = {"cli": "python -m ngram_helpers "}


def listed(folder):
    """(module, notebook tags) in the order ``folder/__init__.py`` lists them."""
    text = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
    return [(m[1], m[2].split(", ") if m[2] else []) for m in LISTED.finditer(text)]


def modules(folder):
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("__"))


def imports(path):
    """Every ``ngram_helpers.x[.y]`` that the module at ``path`` imports, as "x" or "x.y"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ngram_helpers"):
            if node.module == "ngram_helpers":
                found += [alias.name for alias in node.names]
            else:
                found.append(node.module.removeprefix("ngram_helpers."))
        elif isinstance(node, ast.Import):
            found += [
                a.name.removeprefix("ngram_helpers.")
                for a in node.names
                if a.name.startswith("ngram_helpers.")
            ]
    return found


def notebook_imports():
    """{module as "x" or "x.y": the two-digit numbers of the notebooks that import it}."""
    used = {}
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for m in re.finditer(r"from ngram_helpers(?:\.([\w.]+))? import (\([^)]*\)|.+)", code):
            names = re.findall(r"(\w+)(?: as \w+)?", m[2])
            if m[1] in (None, *SUBPACKAGES):
                found = [f"{m[1]}.{n}" if m[1] else n for n in names]
            else:
                found = [m[1]]
            for module in found:
                used.setdefault(module, set()).add(notebook.stem[:2])
    return used


def named_in(number, text):
    """Whether notebook ``number`` (two digits) contains ``text``."""
    return any(text in p.read_text() for p in (ROOT / "notebooks").glob(f"{number}_*.ipynb"))


@pytest.mark.parametrize("folder", ["", *SUBPACKAGES])
def test_every_module_is_listed_once_in_its_package_docstring(folder):
    order = [name for name, _ in listed(PACKAGE / folder)]
    assert sorted(order) == modules(PACKAGE / folder), f"ngram_helpers/{folder} lists its modules"


def test_library_imports_point_down_the_list_and_never_into_the_subpackages():
    position = {name: i for i, (name, _) in enumerate(listed(PACKAGE))}
    wrong = []
    for name in position:
        for imported in imports(PACKAGE / f"{name}.py"):
            top = imported.split(".")[0]
            if top in SUBPACKAGES:
                wrong.append(f"{name} imports the {top} subpackage")
            elif position[top] >= position[name]:
                wrong.append(f"{name} imports {top}, listed after it")
    assert not wrong, wrong


@pytest.mark.parametrize("folder, other", [("widgets", "exercises"), ("exercises", "widgets")])
def test_a_subpackage_imports_the_library_never_the_other_subpackage(folder, other):
    for name in modules(PACKAGE / folder):
        found = [i for i in imports(PACKAGE / folder / f"{name}.py") if i.startswith(other)]
        assert not found, f"{folder}/{name}.py imports {found}"


def test_each_tag_names_notebooks_that_use_the_module_the_first_one_first():
    used = notebook_imports()
    wrong = []
    for folder in ("", *SUBPACKAGES):
        for name, tags in listed(PACKAGE / folder):
            module = f"{folder}.{name}".strip(".")
            if not tags:
                continue
            numbers = used.get(module)
            if numbers is None:  # run by a notebook, not imported: it names the module instead
                if not named_in(tags[0], NAMED_BY.get(name, f"ngram_helpers/{name}.py")):
                    wrong.append(f"{module}: no notebook imports it and {tags[0]} never names it")
                continue
            if tags[0] != min(numbers):
                wrong.append(f"{module}: tagged ({', '.join(tags)}), first used in {min(numbers)}")
            if set(tags) - numbers:
                wrong.append(f"{module}: tagged {sorted(set(tags) - numbers)}, unused there")
    assert not wrong, wrong


def test_every_module_has_a_test_file_named_after_it():
    expected = [ROOT / "tests" / f"test_{name}.py" for name in modules(PACKAGE)]
    for folder in SUBPACKAGES:
        expected += [ROOT / "tests" / folder / f"test_{n}.py" for n in modules(PACKAGE / folder)]
    missing = [str(p.relative_to(ROOT)) for p in expected if not p.is_file()]
    assert not missing, f"modules without their test file: {missing}"
