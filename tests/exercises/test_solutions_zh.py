"""The Chinese worked solutions, ``solutions/zh/NN_name.py``, are the English ones in Chinese.

Their docstrings and comments are Chinese; their code is the English solution's, node for node
(the two files' syntax trees agree once docstrings are set aside, and comments are not in the
tree). The English solutions pass their checks in ``tests/exercises/test_nbNN_*.py``, so the
Chinese ones do too, and a change to one file's code fails here until the other has it.
"""

import ast
import importlib.util

import pytest

from tests.conftest import ROOT

CHINESE = sorted((ROOT / "solutions" / "zh").glob("[0-9]*.py"))


def code_of(source: str) -> str:
    """The syntax tree of ``source`` without its docstrings, as text."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def test_docstrings_and_comments_do_not_count():
    english = 'def f(x):\n    """Twice x."""\n    return 2 * x  # double\n'
    chinese = 'def f(x):\n    """x 的两倍。"""\n    return 2 * x  # 加倍\n'
    assert code_of(english) == code_of(chinese) != code_of(english.replace("2 *", "3 *"))


def test_there_are_chinese_solutions():
    assert CHINESE, "no solutions/zh/NN_name.py"


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_the_code_is_the_english_solutions(path):
    english = ROOT / "solutions" / path.name
    assert english.exists(), f"{path.name} has no English original in solutions/"
    assert code_of(path.read_text(encoding="utf-8")) == code_of(
        english.read_text(encoding="utf-8")
    ), f"solutions/zh/{path.name}: its code differs from solutions/{path.name}"


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_it_imports(path):
    spec = importlib.util.spec_from_file_location(f"solutions_zh_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__doc__ and "参考解答" in module.__doc__
