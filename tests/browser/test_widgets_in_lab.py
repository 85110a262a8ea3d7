"""The series' widgets, used as a learner uses them: in JupyterLab, in a real browser.

Each test opens a copy of a notebook without outputs, runs all cells, works the controls with
the keyboard and mouse, and checks that the outputs change; the decision-boundary explorer is
opened in the Chinese edition (notebooks/zh/), whose labels are Chinese. Screenshots go to
test-artifacts/. Skips (with the reason) where chromium or Playwright is missing.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_all_cells, screenshot, stripped_copy
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
NOTEBOOKS = ROOT / "notebooks"


def image_source(locator) -> str:
    return locator.get_attribute("src") or ""


def wait_until(page, condition, what: str) -> None:
    """Poll ``condition()`` until it is true; fail naming ``what`` after 30 s."""
    for _ in range(300):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def test_sampler_reacts_to_temperature_and_prefix(lab, page, small_checkpoint):
    # notebook 04's settings cell: load a small checkpoint instead of training 50,000 steps
    # (PROJECT / an absolute path is that absolute path, and the cell needs no new import)
    settings = {"LOAD_IF_AVAILABLE": "True", "CHECKPOINT": f"PROJECT / {str(small_checkpoint)!r}"}
    name = stripped_copy(NOTEBOOKS / "04_full_training_run.ipynb", lab, "sampler.ipynb", settings)
    run_all_cells(page, lab, name)
    # the rewritten settings took effect: the run cell loaded the checkpoint, it did not train
    expect(page.get_by_text("loaded names-mlp.pt: 300 training steps")).to_be_visible()
    sampler = page.locator(".ngram-sampler").first
    expect(sampler).to_be_visible()
    names = sampler.locator(".ngram-sampler-names")
    chart = sampler.locator(".ngram-sampler-chart")
    expect(names.locator("li").first).to_be_visible()
    names_before, chart_before = names.inner_text(), image_source(chart)

    handle = sampler.locator(".widget-slider").first.locator(".noUi-handle")  # temperature
    handle.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    wait_until(page, lambda: names.inner_text() != names_before, "new names at a lower temperature")
    wait_until(page, lambda: image_source(chart) != chart_before, "a redrawn probability chart")

    def all_start_with_ma() -> bool:
        items = names.locator("li").all_inner_texts()
        return bool(items) and all(item.strip().startswith("ma") for item in items)

    sampler.locator(".widget-text input").fill("ma")
    wait_until(page, all_start_with_ma, "every name to start with the prefix 'ma'")

    sampler.locator(".widget-text input").fill("m7")
    expect(sampler.locator(".ngram-sampler-message")).to_contain_text("'7'")
    screenshot(page, "sampler.png")


def test_decision_boundary_redraws_on_new_activation(lab, page):
    """In the Chinese edition: the same widget, with its labels in Chinese (set_language)."""
    name = stripped_copy(NOTEBOOKS / "zh" / "01_mlp_basics.ipynb", lab, "boundary-zh.ipynb")
    run_all_cells(page, lab, name)
    expect(page.locator(".jp-MarkdownOutput h1").first).to_contain_text("多层感知机")
    dropdown = page.locator(".widget-dropdown", has_text="激活函数").first
    expect(dropdown).to_be_visible()
    box = dropdown.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    picture = box.locator(".widget-image").first
    expect(picture).to_be_visible()
    before = image_source(picture)
    choice = "relu" if dropdown.locator("select").input_value() != "relu" else "sigmoid"
    dropdown.locator("select").select_option(choice)
    wait_until(page, lambda: image_source(picture) != before, "a redrawn decision boundary")
    picture.scroll_into_view_if_needed()
    screenshot(page, "boundary.png")
