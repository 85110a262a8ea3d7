"""The first cell's check that the browser side of the widgets is installed."""

import pytest

from ngram_helpers.language import set_language
from ngram_helpers.widgets.environment import check_widgets_available
from tests.conftest import ROOT

MISSING_IN_ENGLISH = (
    "Interactive widgets are not available: the package 'jupyterlab_widgets' cannot be imported "
    "in this environment, so sliders will show as plain text. The notebook still runs and keeps "
    "its static pictures. To get the widgets, start JupyterLab from the project's environment "
    "(make lab) or see 'Troubleshooting' in README.md."
)


@pytest.fixture
def no_widgets(monkeypatch):
    def refuse(name):
        raise ImportError(name)

    monkeypatch.setattr("importlib.import_module", refuse)


def test_widget_check_says_nothing_when_quiet_and_the_widgets_are_there(capsys):
    assert check_widgets_available(verbose=False) is True
    assert capsys.readouterr().out == ""


def test_widget_check_reports_a_missing_extension(no_widgets, capsys):
    assert check_widgets_available() is False
    assert capsys.readouterr().out.strip() == MISSING_IN_ENGLISH


def test_in_chinese_it_points_to_the_chinese_readme_and_a_section_it_has(no_widgets, capsys):
    set_language("zh")
    try:
        assert check_widgets_available() is False
    finally:
        set_language("en")
    said = capsys.readouterr().out.strip()
    assert said.startswith("交互控件不可用：") and "README.zh-CN.md 的“常见问题”一节" in said
    assert "\n## 常见问题\n" in (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
