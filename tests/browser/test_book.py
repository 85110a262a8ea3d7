"""The book (`make book`) as a reader meets it: opened from disk in a real browser, offline.

Every request to anything but the local files is blocked and counted as a failure. Each page of
both editions must load without a failed request or a script error, with its formulas typeset by
the site's own MathJax and its figures loaded; each notebook's language link must lead to the
same notebook in the other edition; on notebook 04's page, moving the sampler's sliders must
change the names and the chart to what Python's sampler gives for the new settings; and on
notebook 01's page, moving the decision-boundary explorer's controls must show the summary that
the Python widget shows for the new setting. The search finds English words and Chinese terms.

`make test` builds the book first; run alone, the test skips when `_build/book` is missing.
"""

from __future__ import annotations

import json
import sys

import matplotlib
import pytest

from ngram_helpers.data import load_names
from ngram_helpers.language import speaking
from ngram_helpers.plots import use_series_style
from ngram_helpers.sample import (
    LogitTable,
    name_origins,
    sample_from_table,
    start_context,
    tempered_probs,
)
from ngram_helpers.widgets.boundary import build_boundary_widget
from ngram_helpers.widgets.sampler import origin_label
from tests.browser.conftest import CHROMIUM, screenshot
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import export_boundary  # noqa: E402  (tools/ is not a package)
import export_sampler  # noqa: E402

pytestmark = pytest.mark.browser

BOOK = ROOT / "_build" / "book"
SOURCE = ROOT / "_build" / "book-src"  # the notebooks as the book read them
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
PAGES = (
    ["index.html", "solutions.html", "solutions-zh.html", "notebooks/zh/glossary.html"]
    + [f"notebooks/{name}.html" for name in NOTEBOOKS]
    + [f"notebooks/zh/{name}.html" for name in NOTEBOOKS]
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def book_browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright (Python) is not installed")
    if not (BOOK / "index.html").exists():
        pytest.skip("the book is not built: run `make book`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Reader:
    """A browser tab on the book that blocks and records every non-local request."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1300, "height": 1000})
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("pageerror", lambda err: self.problems.append(f"script error: {err}"))

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def open(self, relative: str) -> None:
        self.page.goto((BOOK / relative).as_uri())
        self.page.wait_for_load_state("load")
        if self.page.locator("script[src*='mathjax']").count():  # only pages with formulas
            self.page.wait_for_function("() => window.MathJax?.startup?.promise")
            self.page.evaluate("() => MathJax.startup.promise")


@pytest.fixture(scope="module")
def reader(book_browser):
    reader = Reader(book_browser)
    yield reader
    reader.context.close()


@pytest.mark.parametrize("relative", PAGES)
def test_each_page_loads_offline_with_formulas_and_figures(reader, relative):
    reader.problems.clear()
    reader.open(relative)
    page = reader.page
    state = page.evaluate(
        """() => ({
            math: document.querySelectorAll('.math').length,
            untypeset: [...document.querySelectorAll('.math')]
                .filter(m => !m.querySelector('mjx-container'))
                .map(m => m.textContent.slice(0, 60)),
            errors: document.querySelectorAll('mjx-merror').length,
            images: document.querySelectorAll('article img').length,
            broken: [...document.querySelectorAll('img')]
                .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
        })"""
    )
    assert reader.problems == []
    assert state["untypeset"] == [], "formulas left as TeX"
    assert state["errors"] == 0, "MathJax could not typeset a formula"
    assert state["broken"] == [], "images that did not load"
    if relative.startswith("notebooks/") and "glossary" not in relative:
        assert state["images"] > 0, "a notebook page without its figures"
        if "$" in markdown_of(relative):
            assert state["math"] > 0, "the notebook has formulas, the page none"


def markdown_of(relative: str) -> str:
    """The markdown cells of the notebook the book built ``relative`` from."""
    source = (SOURCE / relative).with_suffix(".ipynb")
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_language_link_leads_to_the_same_notebook(reader, name):
    for here, link, there in (
        (f"notebooks/{name}.html", "简体中文", f"notebooks/zh/{name}.html"),
        (f"notebooks/zh/{name}.html", "English", f"notebooks/{name}.html"),
    ):
        reader.problems.clear()
        reader.open(here)
        reader.page.locator("article").get_by_role("link", name=link, exact=True).first.click()
        reader.page.wait_for_load_state("load")
        assert reader.page.url == (BOOK / there).as_uri()
        assert reader.problems == []


@pytest.fixture(scope="module")
def python_sampler():
    """The model the book exported, its logit table, and the data (as notebook 04 has them)."""
    data = load_names(ROOT / "datasets" / "names")
    model, _ = export_sampler.notebook_model(data, ROOT / export_sampler.DEFAULT_CHECKPOINT)
    return LogitTable(model), data


def shown_state(page) -> tuple[list[str], list[float]]:
    """The names the page's sampler lists and the heights of its chart's bars."""
    names = page.locator(".ngram-js-sampler .ngram-name b").all_inner_texts()
    bars = page.locator(".ngram-js-sampler rect.bar")
    probs = [float(p) for p in bars.evaluate_all("bs => bs.map(b => b.dataset.prob)")]
    return names, probs


def python_state(python_sampler, num, seed, prefix, temperature, top_k):
    table, data = python_sampler
    names = sample_from_table(
        table, data.tokenizer, num, seed=seed, prefix=prefix, temperature=temperature, top_k=top_k
    )
    row = table.row(start_context(data.tokenizer, prefix, table.context_length))
    probs = tempered_probs(table.logits[row : row + 1], temperature, top_k)[0].tolist()
    return names, probs


@pytest.mark.parametrize("edition", ["", "zh/"])
def test_moving_the_sliders_changes_names_and_chart_as_python_would(
    reader, python_sampler, edition
):
    reader.problems.clear()
    reader.open(f"notebooks/{edition}04_full_training_run.html")
    page = reader.page
    sampler = page.locator(".ngram-js-sampler")
    sampler.scroll_into_view_if_needed()
    names, probs = shown_state(page)
    expected_names, expected_probs = python_state(python_sampler, 20, 42, "", 1.0, 27)
    assert names == expected_names
    assert probs == pytest.approx(expected_probs, abs=1e-6)
    screenshot(page, f"book-sampler-{edition.strip('/') or 'en'}-before.png")
    for name, value in (("temperature", "0.5"), ("topK", "5"), ("seed", "7")):
        sampler.locator(f"input[name={name}]").fill(value)
    sampler.locator("input[name=prefix]").fill("Ma")
    moved_names, moved_probs = shown_state(page)
    expected_names, expected_probs = python_state(python_sampler, 20, 7, "ma", 0.5, 5)
    assert moved_names != names
    assert moved_names == expected_names
    assert moved_probs == pytest.approx(expected_probs, abs=1e-6)
    screenshot(page, f"book-sampler-{edition.strip('/') or 'en'}-after.png")
    language = "zh" if edition else "en"
    with speaking(language):  # each name's origin as the edition's Python widget shows it
        origins = name_origins(expected_names, python_sampler[1])
        assert sampler.locator(".ngram-name small").all_inner_texts() == [
            f"({origin_label(origin)})" for origin in origins
        ]
    for count in ("50", "1"):  # the ends of the names slider
        sampler.locator("input[name=names]").fill(count)
        assert shown_state(page)[0] == python_state(python_sampler, int(count), 7, "ma", 0.5, 5)[0]
    sampler.locator("input[name=prefix]").fill("m7")
    with speaking(language), pytest.raises(ValueError) as refused:
        sample_from_table(python_sampler[0], python_sampler[1].tokenizer, 1, prefix="m7")
    message = sampler.locator(".ngram-sampler-message").inner_text()
    assert message.endswith(str(refused.value)) and shown_state(page)[0] == []
    assert reader.problems == []


@pytest.mark.parametrize("edition", ["", "zh/"])
def test_the_boundary_explorer_shows_what_the_widget_shows(reader, edition):
    reader.problems.clear()
    reader.open(f"notebooks/{edition}01_mlp_basics.html")
    explorer = reader.page.locator(".ngram-js-boundary")
    explorer.scroll_into_view_if_needed()
    data = export_boundary.explorer_data()
    language = "zh" if edition else "en"

    def python_summary(setting: dict) -> str:
        with matplotlib.rc_context(), speaking(language):
            use_series_style()  # the widget draws its picture too: in Chinese, with a Han font
            return build_boundary_widget(data, **setting).summary.value

    shown = explorer.locator(".ngram-boundary-summary")
    assert f"<code>{shown.inner_text()}</code>" == python_summary(export_boundary.DEFAULT)
    moved = {"activation": "relu", "hidden_width": 32, "learning_rate": 0.1, "steps": 100}
    explorer.locator("select[name=activation]").select_option(moved["activation"])
    for name, values in (
        ("hidden_width", export_boundary.WIDTHS),
        ("learning_rate", export_boundary.LEARNING_RATES),
        ("steps", export_boundary.STEPS),
    ):
        explorer.locator(f"input[name={name}]").fill(str(values.index(moved[name])))
    assert f"<code>{shown.inner_text()}</code>" == python_summary(moved)
    assert explorer.locator("canvas.ngram-boundary-map").count() == 1
    assert explorer.locator("svg.ngram-boundary-loss path").count() == 2
    screenshot(reader.page, f"book-boundary-{edition.strip('/') or 'en'}-moved.png")
    assert reader.problems == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("perplexity", "notebooks/02_bengio_language_model.html"),
        ("困惑度", "notebooks/zh/02_bengio_language_model.html"),  # a glossary term, kept whole
        ("梯度", "notebooks/zh/01_mlp_basics.html"),  # a word inside longer Chinese sentences
        ("学习率", "notebooks/zh/04_full_training_run.html"),
    ],
)
def test_the_search_finds_english_words_and_chinese_terms(reader, query, found):
    reader.problems.clear()
    reader.page.goto((BOOK / "search.html").as_uri() + f"?q={query}")
    reader.page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    links = reader.page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.href)"
    )
    assert any(link.startswith((BOOK / found).as_uri()) for link in links), links
    assert reader.problems == []
