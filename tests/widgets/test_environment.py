"""The first cell's check that the browser side of the widgets is installed."""

from ngram_helpers.widgets.environment import MISSING_WIDGETS, check_widgets_available


def test_widget_check_reports_a_missing_extension(monkeypatch, capsys):
    assert check_widgets_available(verbose=False) is True
    assert capsys.readouterr().out == ""

    def refuse(name):
        raise ImportError(name)

    monkeypatch.setattr("importlib.import_module", refuse)
    assert check_widgets_available() is False
    assert capsys.readouterr().out.strip() == MISSING_WIDGETS
