"""The language switch, and every message a learner reads written in both languages.

``ngram_helpers/language.py`` holds the switch; the messages are written with ``say(en, zh)``
where they are said. The source tests below read the modules whose words a learner meets (the
checks, the widgets, the checkpoint's errors): a sentence of English outside ``say`` is a
message without its Chinese, and a ``say`` whose Chinese shows other values than its English
has lost (or invented) a number. The exercise tests run every check in Chinese too.
"""

import ast
import re

import pytest

from ngram_helpers import language
from ngram_helpers.exercises import nb03_word_embeddings as nb03
from ngram_helpers.language import LANGUAGES, current_language, say, set_language, speaking
from tests.conftest import ROOT

SPOKEN = sorted(
    [
        *(ROOT / "ngram_helpers" / "exercises").glob("*.py"),
        *(ROOT / "ngram_helpers" / "widgets").glob("*.py"),
        ROOT / "ngram_helpers" / "checkpoint.py",
        ROOT / "ngram_helpers" / "device.py",
        ROOT / "ngram_helpers" / "seed_spread.py",
    ]
)
HAN = re.compile(r"[\u4e00-\u9fff]")
# two English words in a row: prose, not a name, a key or a format
PROSE = re.compile(r"[A-Za-z]{2,}[,;:]? +[A-Za-z]{2,}")
# what is code, not words, in a message: HTML tags, `quoted code`, calls such as f(x, y)
CODE = re.compile(r"<[^>]*>|`[^`]*`|\w+\([^()]*\)")
# strings that are prose but not messages: keys a learner's code uses, the run-order hint (which
# prints both languages at once), and text drawn in figures, which stays English until the
# series' figure style has a font with Chinese characters
NOT_MESSAGES = {
    "decision boundary",
    "outside upper center",  # where matplotlib puts a legend
    "wide tanh",
    "2-gram level",
    "next-character probabilities (gray: temperature 1, no top-k)",
    "sigmoid ends with a higher train loss than tanh",
    "at learning rate 1 the train loss falls at every step",
    *(sentence for sentence, _ in nb03.SENTENCES),  # exercise 3.1's data
    "If a cell above defines it, run the cells above this one first ",
    "(Run → Run All Above Selected Cell): each notebook runs from the top.\n",
}


@pytest.fixture
def chinese():
    """Run the test in Chinese; English again after it."""
    set_language("zh")
    yield
    set_language("en")


def test_english_is_the_default_and_the_switch_changes_what_say_returns(chinese):
    set_language("en")
    assert current_language() == "en" and say("yes", "是") == "yes"
    set_language("zh")
    assert current_language() == "zh" and say("yes", "是") == "是"
    assert LANGUAGES == ("en", "zh")


def test_an_unknown_language_is_one_clear_line_and_changes_nothing():
    with pytest.raises(ValueError, match=r"^unknown language 'fr': choose one of en, zh$"):
        set_language("fr")
    assert language.current_language() == "en"


def _calls_to_say(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say"
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _text(node: ast.AST) -> str:
    """The literal parts of a string or f-string node."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(part) for part in node.values)
    return ""


def _grammar(node: ast.AST) -> bool:
    """Whether ``node`` picks one of two words ("is" if n == 1 else "are"): grammar, no value."""
    return isinstance(node, ast.IfExp) and all(
        isinstance(branch, ast.Constant) and isinstance(branch.value, str)
        for branch in (node.body, node.orelse)
    )


def _values(node: ast.AST) -> list[str]:
    """The expressions an f-string shows, as source text, sorted (English grammar left out)."""
    if not isinstance(node, ast.JoinedStr):
        return []
    shown = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    return sorted(ast.unparse(value) for value in shown if not _grammar(value))


def _untranslated(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_say = {id(n) for call in _calls_to_say(tree) for arg in call.args for n in ast.walk(arg)}
    skip = inside_say | _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, (ast.Constant, ast.JoinedStr)):
            continue
        if isinstance(node, ast.JoinedStr):  # its parts are not looked at again
            skip |= {id(part) for part in node.values}
        text = _text(node)
        if PROSE.search(CODE.sub(" ", text)) and text not in NOT_MESSAGES and not HAN.search(text):
            found.append(f"{path.name}:{node.lineno}: {text[:60]!r}")
    return found


@pytest.mark.parametrize("path", SPOKEN, ids=lambda p: p.name)
def test_every_message_is_written_in_both_languages(path):
    missing = _untranslated(path)
    assert not missing, f"English messages outside say(en, zh): {missing}"


@pytest.mark.parametrize("path", SPOKEN, ids=lambda p: p.name)
def test_each_chinese_message_is_chinese_and_shows_the_values_its_english_shows(path):
    problems = []
    for call in _calls_to_say(ast.parse(path.read_text(encoding="utf-8"))):
        if len(call.args) != 2 or any(isinstance(a, ast.Starred) for a in call.args):
            continue  # say(*pair): the pair is a constant, looked at as strings
        en, zh = call.args
        zh_text = _text(zh)  # punctuation alone (": " and "："), or words
        if PROSE.search(zh_text) and not HAN.search(zh_text):
            problems.append(f"line {call.lineno}: the Chinese has no Chinese")
        if _values(en) != _values(zh):
            problems.append(f"line {call.lineno}: shows {_values(en)} in English, {_values(zh)}")
    assert not problems, f"{path.name}: {problems}"


def test_the_source_test_finds_a_message_without_its_chinese(tmp_path):
    path = tmp_path / "checker.py"
    path.write_text(
        '"""A docstring is not a message."""\n'
        'ok = say(f"step {n} of {total}", f"第 {n} 步，共 {total} 步")\n'
        'bad = wrong(f"the step is {n}")\n'
    )
    assert _untranslated(path) == ["checker.py:3: 'the step is '"]


def test_in_chinese_a_missing_checkpoint_and_a_check_verdict_are_chinese(chinese, tmp_path):
    from ngram_helpers.checkpoint import CheckpointError, load_checkpoint
    from ngram_helpers.exercises.feedback import not_attempted

    with pytest.raises(CheckpointError, match="：找不到检查点$"):
        load_checkpoint(tmp_path / "none.pt")
    assert repr(not_attempted("填好 `answer`")) == "… 尚未作答：填好 `answer`，然后再运行本单元格。"


def test_a_chinese_character_takes_two_columns_and_pad_counts_columns():
    assert language.columns("val") == 3 and language.columns("验证") == 4
    assert language.pad("验证", 7) == "验证   " and language.pad("验证", 7, ">") == "   验证"
    assert language.pad("a much longer text", 4) == "a much longer text"


def test_speaking_sets_the_language_for_a_block_and_restores_it():
    with speaking("zh"):
        assert say("train", "训练集") == "训练集"
    assert current_language() == "en"
    with pytest.raises(ValueError, match="unknown language 'fr'"), speaking("fr"):
        pass
    assert current_language() == "en"
