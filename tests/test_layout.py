"""The package reads top-down: every module imports only modules listed before it."""

import ast
import re

from tests.conftest import ROOT

PACKAGE = ROOT / "ngram_helpers"


def test_imports_point_down_the_list_in_the_package_docstring():
    order = re.findall(r"(\w+)\.py", (PACKAGE / "__init__.py").read_text())
    position = {name: i for i, name in enumerate(order)}
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__"))
    assert sorted(order) == modules, "every module is listed once in ngram_helpers/__init__.py"
    upward = []
    for name in modules:
        for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "ngram_helpers."
            ):
                imported = node.module.split(".")[1]
                inside_main = imported == "cli" and name in ("train", "sample")  # python -m entry
                if position[imported] >= position[name] and not inside_main:
                    upward.append(f"{name} imports {imported}")
    assert not upward, f"imports that point up the list: {upward}"
