"""One Chinese rendering per term across the Chinese edition, and glosses that do not pile up.

The translations (the ``zh`` blocks of ``notebooks/zh/translations/*.md``) follow
``notebooks/zh/glossary.md``. A term that once had two renderings keeps the one the glossary
gives; each variant below is banned, with the word to use instead. So are the calques of English
idioms that a reader finds unnatural, the "少了 4 倍" construction (ill-formed, and ambiguous), and
an English gloss stacked on another parenthesis or closing two at once: a term is glossed once,
in a parenthesis of its own. Code, math and link targets are not prose and are left out.
"""

import re

import pytest

from tools import translate

NOT_PROSE = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`|\]\([^)\s]*\)", re.DOTALL)
GLOSS = r"（[A-Za-z][^（）\u4e00-\u9fff]*）"
BANNED = {
    "本课": "原课程 (本课 reads as 'this page')",
    r"\b[Nn]otebooks?\b": "笔记本",
    "推广": "泛化 (generalise)",
    "n 元组": "n 元语法 (元组 is a Python tuple)",
    "检查程序": "检查",
    "层次 softmax": "分层 softmax (d2l-zh)",
    "暂退法比率": "暂退率",
    "旋钮": "超参数 / 参数 / 设置 (a calque of 'knob')",
    "[无不]能?法?扩展": "撑不起大词表 / 代价随词表增长 (a calque of 'does not scale')",
    "每第": "每隔",
    "端出来": "误当成",
    "模型在听": "模型最看重",
    "暗中就是": "本质上就是",
    "游戏规则": "规则",
    r"(?:少|小|低|慢|短)了? ?[\d一二三四五六七八九十几]\w? ?倍": "1/N (少了 N 倍 is ill-formed)",
    GLOSS + "（": "one gloss, in a parenthesis of its own (stacked)",
    GLOSS + "）": "one gloss, in a parenthesis of its own (nested)",
}


def prose(text: str) -> str:
    """``text`` without code, math and link targets."""
    return NOT_PROSE.sub(" ", text)


def findings(text: str) -> list[str]:
    """Each banned variant in the prose of ``text``, with what to write instead."""
    found = []
    for pattern, instead in BANNED.items():
        found += [f"{m.group(0)!r} → {instead}" for m in re.finditer(pattern, prose(text))]
    return found


def test_the_variants_are_found_in_prose_only():
    assert findings("本课的模型走的步数少了 4 倍") == [
        "'本课' → " + BANNED["本课"],
        "'少了 4 倍' → " + BANNED[list(BANNED)[-3]],
    ]
    assert len(findings("多层感知机（MLP）（上下文长度 3）与（会*饱和*（saturate））")) == 2
    assert findings("`notebook` $本课$ [笔记本](notebook.ipynb) 扩大 27 倍，强一万倍") == []


@pytest.mark.parametrize("notebook", translate.english_notebooks(), ids=lambda p: p.name)
def test_each_term_has_one_rendering(notebook):
    found = [
        f"cell {entry.cell}: {finding}"
        for entry in translate.read_translations(notebook)
        for finding in findings(entry.zh)
    ]
    assert not found, f"{notebook.name}: {len(found)} variants, e.g. {found[:8]}"


@pytest.mark.parametrize("notebook", translate.english_notebooks(), ids=lambda p: p.name)
def test_a_gloss_is_given_once_per_notebook(notebook):
    cells: dict[str, list[int]] = {}
    for entry in translate.read_translations(notebook):
        for gloss in re.findall(GLOSS, prose(entry.zh)):
            cells.setdefault(gloss.lower(), []).append(entry.cell)
    repeated = {gloss: where for gloss, where in cells.items() if len(where) > 1}
    assert not repeated, f"{notebook.name}: glossed more than once (cells): {repeated}"
