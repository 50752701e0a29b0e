"""Train from the page in Chromium: the bar moves, the model is saved, survives a reload; Cancel."""

from __future__ import annotations

import time

from tests.e2e.conftest import open_page, screenshot, wait_idle


def _progress_values(page, until_text: str, timeout: float = 120) -> list[float]:
    """Poll the progress bar's value until ``until_text`` shows up; return the values seen."""
    seen: list[float] = []
    deadline = time.time() + timeout
    bar = page.locator('[data-testid="stProgress"] [role="progressbar"]')
    while time.time() < deadline:
        if bar.count():
            try:
                value = float(bar.first.get_attribute("aria-valuenow", timeout=500) or "nan")
            except Exception:  # the bar was replaced between count() and the read
                value = None
            if value is not None and (not seen or value != seen[-1]):
                seen.append(value)
        if page.get_by_text(until_text).count():
            return seen
        time.sleep(0.05)
    raise AssertionError(f"'{until_text}' did not appear; progress seen: {seen}")


def _set_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_train_from_page_progress_and_reload(page, app_url):
    open_page(page, app_url, "train")
    page.get_by_text("Train a model").first.wait_for()
    _set_number(page, "Iterations", "60")
    page.get_by_label("Name (optional)", exact=True).fill("e2e-als")
    page.get_by_label("Name (optional)", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    values = _progress_values(page, "saved it as e2e-als")
    assert len(values) >= 2 and values == sorted(values), values
    wait_idle(page)
    page.get_by_text("Train a model").first.scroll_into_view_if_needed()
    print(screenshot(page, "train-done"))
    page.reload()
    wait_idle(page)
    page.get_by_text("Saved models").first.wait_for()
    # the table is a canvas with hidden accessible cells: wait for the cell in the DOM
    page.locator("[role=gridcell]", has_text="e2e-als").first.wait_for(
        state="attached", timeout=30_000
    )
    wait_idle(page)
    print(screenshot(page, "train-after-reload"))


def test_cancel_saves_nothing_and_other_tabs_stay_usable(page, app_url, browser):
    open_page(page, app_url, "train")
    page.get_by_label("Model", exact=True).click()
    page.get_by_role("option", name="BPR (pairwise ranking)").click()
    wait_idle(page)
    _set_number(page, "Iterations", "2000")
    page.get_by_label("Name (optional)", exact=True).fill("never-saved")
    page.get_by_label("Name (optional)", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator('[data-testid="stProgress"]').first.wait_for()
    time.sleep(1.0)
    page.get_by_text("Train a model").first.scroll_into_view_if_needed()
    print(screenshot(page, "train-running"))
    # another browser session renders its page while this one is training
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = other.new_page()
        started = time.time()
        tab.goto(f"{app_url}/")
        tab.get_by_text("Start in three steps").wait_for(timeout=30_000)
        print(f"other session rendered in {time.time() - started:.1f} s during training")
        assert page.get_by_role("button", name="Cancel").count() == 1, "training ended too early"
    finally:
        other.close()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Training cancelled").wait_for(timeout=60_000)
    wait_idle(page)
    print(screenshot(page, "train-cancelled"))
    assert page.locator("[role=gridcell]", has_text="never-saved").count() == 0
    assert page.get_by_text("never-saved").count() == 0
