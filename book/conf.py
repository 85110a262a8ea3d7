"""Sphinx configuration of the book (`make book`, tools/build_book.py).

The pages are the stored notebooks, read by MyST-NB without executing them. Everything a page
loads comes from the site itself: MathJax from `_static/mathjax/` (vendored by `make book`), the
theme's fonts and scripts from its own `_static/`, and no widget JavaScript from a CDN (the
widgets' stored pictures are shown instead; the name sampler runs from `_static/`).
"""

from sphinx.search.zh import SearchChinese

project = "Neural language models, one notebook at a time"
author = "the ngram-helpers authors"
copyright = "the ngram-helpers authors, MIT licence"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_static"]  # MathJax and the sampler's weights, copied as they are

# The stored outputs, never re-executed.
nb_execution_mode = "off"
# A widget's view needs a kernel or its saved state: show its stored picture or text instead,
# and load no widget JavaScript (whose default comes from a CDN).
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]
# Search in both languages: Sphinx's Chinese search cuts Chinese text into words with jieba (the
# `book` extra), keeping the glossary's terms whole (search_terms.txt, written by
# tools/build_book.py), and stems the English words as its English search does.
html_search_language = "zh"
# A result's summary is quoted from its page, which the search page would fetch: a page opened
# from disk may not fetch, so the results are listed by title and section only.
html_show_search_summary = False

html_theme = "sphinx_book_theme"
html_title = "Neural language models"
html_static_path = ["static"]
html_css_files = ["book.css"]
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
# MathJax 3, served by the site itself (relative to _static/).
mathjax_path = "mathjax/tex-chtml.js"

# The widgets that run on the page, loaded only where they are shown (their data is ~1 MB each):
# the data written by tools/export_*.py, then the code in static/.
PAGE_SCRIPTS = {
    "04_full_training_run": ["ngram_sampler_model.js", "ngram_sampler.js"],
    "01_mlp_basics": ["ngram_boundary_data.js", "ngram_boundary.js"],
}


def add_widget_scripts(app, pagename, templatename, context, doctree):
    for notebook, scripts in PAGE_SCRIPTS.items():
        if pagename.endswith(notebook):
            for script in scripts:
                app.add_js_file(script)


def add_vendored_static(app, config):
    """Serve the source folder's _static/ too (tools/build_book.py puts MathJax and the
    sampler's weights there), and give the search its list of Chinese terms."""
    config.html_static_path.append(str(app.srcdir / "_static"))
    config.html_search_options = {"dict": str(app.srcdir / "search_terms.txt")}


class SearchChineseAndEnglish(SearchChinese):
    """Sphinx's Chinese search, unchanged but for the name of its browser-side stemmer.

    Its pages stem English words with the Snowball English stemmer they ship, but Sphinx 9
    names it ``ChineseStemmer`` when it sets ``window.Stemmer``, a name nothing defines: every
    page then stops with a script error. The stemmer shipped is the English one: name it so.
    """

    language_name = "English"


def setup(app):
    app.add_search_language(SearchChineseAndEnglish)
    app.connect("config-inited", add_vendored_static)
    app.connect("html-page-context", add_widget_scripts)
