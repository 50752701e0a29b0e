"""The Map page in Chromium: PCA at once, UMAP swapped in, lasso selection, title search."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from recsys.data.demo import load_demo
from recsys.models.registry import create_model
from recsys.store import Workspace
from tests.e2e.conftest import open_page, screenshot, wait_idle

MODEL = "map-e2e-svd"


@pytest.fixture(scope="module")
def saved_model(workspace_dir):
    ws = Workspace(workspace_dir)
    if not ws.exists(MODEL):
        ds = load_demo()
        ws.save_model(create_model("svd").fit(ds), MODEL, ds)
    return MODEL


def _choose_model(page):
    box = page.get_by_role("combobox", name="Model", exact=True)
    if box.count() and MODEL not in box.first.input_value():
        box.first.click()
        page.get_by_role("option", name=MODEL).first.click()
        wait_idle(page)


def _plot(page, timeout: float = 120):
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=timeout * 1000)
    return page.locator(".js-plotly-plot").first


def _wait_for_text(page, text: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.get_by_text(text).count():
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} did not appear within {timeout:.0f} s")


def _lasso(page) -> None:
    plot = _plot(page)
    plot.scroll_into_view_if_needed()  # mouse events only land inside the viewport
    time.sleep(1)
    drag = plot.locator(".nsewdrag").first.bounding_box()
    cx, cy = drag["x"] + drag["width"] / 2, drag["y"] + drag["height"] / 2
    w, h = drag["width"] * 0.4, drag["height"] * 0.4
    page.mouse.move(cx - w, cy - h)
    page.mouse.down()
    for x, y in [(cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h), (cx - w, cy - h + 2)]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def _retried(page, action, attempts: int, errors, shot: str):
    """``action()``'s result, tried up to ``attempts`` times while it raises ``errors``; the
    last failure is screenshot as ``shot`` and raised."""
    for attempt in range(attempts):
        try:
            return action()
        except errors:
            if attempt == attempts - 1:
                print(screenshot(page, shot))
                raise
            wait_idle(page)


def test_map_renders_then_umap_then_lasso_selection(page, app_url, saved_model):
    open_page(page, app_url, "map")
    _choose_model(page)
    _plot(page)
    print(screenshot(page, "map-1-first"))
    # PCA (or UMAP when it is already done) at once; UMAP replaces PCA when the background job
    # is done, then the faithfulness scores follow
    _wait_for_text(page, "UMAP 2-D", timeout=240)
    _wait_for_text(page, "Trustworthiness", timeout=120)
    wait_idle(page)
    time.sleep(2)  # let plotly finish drawing the new map
    _plot(page)
    print(screenshot(page, "map-2-umap"))
    # plotly's mode bar, shown on hover, sits above the map's title, not over it
    plot = _plot(page)
    plot.locator(".nsewdrag").first.hover()
    page.wait_for_selector(".js-plotly-plot .modebar-group", timeout=10_000)
    bar = plot.locator(".modebar").first.bounding_box()
    title = plot.locator(".gtitle").first.bounding_box()
    assert bar["y"] + bar["height"] <= title["y"] + 1, (bar, title)

    # a lasso over most of the plot; retried in case the map was still being redrawn
    def lasso_selects():
        _lasso(page)
        _wait_for_text(page, "Selection:", timeout=40)

    _retried(page, lasso_selects, 3, AssertionError, "map-3-selection-failed")
    wait_idle(page)
    heading = page.get_by_text("Selection:").first.inner_text()
    n_selected = int(heading.split(":")[1].split("items")[0].replace(",", "").strip())
    assert n_selected > 0
    assert page.get_by_text("Category mix").count()
    assert page.get_by_text("Download the selection (CSV)").count()
    page.get_by_text("Selection:").first.scroll_into_view_if_needed()
    print(screenshot(page, "map-3-selection"))

    # exports are made when clicked (deferred): the coordinates CSV holds every drawn point
    page.get_by_text("Export", exact=True).first.click()
    wait_idle(page)

    def download_csv():
        with page.expect_download(timeout=45_000) as download:
            page.get_by_role("button", name="Coordinates (CSV)").click()
        return download.value

    # a click that lands while the page reruns can be dropped: clicked again once
    csv = _retried(page, download_csv, 2, PlaywrightTimeout, "map-4-download-failed")
    lines = open(csv.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("id,") and "cluster" in lines[0]
    assert len(lines) - 1 == 1456  # the demo items above the support floor


def test_title_search_highlights_the_item(page, app_url, saved_model):
    open_page(page, app_url, "map")
    _choose_model(page)
    _plot(page)
    box = page.get_by_label("Find an item by title")
    box.fill("the happy kingdom: origins")  # popular: above the map's support floor
    box.press("Enter")
    wait_idle(page)
    _wait_for_text(page, "Nearest to The Happy Kingdom: Origins", timeout=60)
    assert page.locator(".legendtext", has_text="searched item").count() == 1
    assert page.locator(".legendtext", has_text="nearest in embedding").count() == 1
    print(screenshot(page, "map-4-search"))


def test_users_lassoed_on_the_map_reach_the_recommend_picker_and_stay_selected(
    page, app_url, saved_model
):
    open_page(page, app_url, "map")
    _choose_model(page)
    try:
        _plot(page, timeout=300)  # the first page of a fresh server on a busy machine
    except Exception:
        print(screenshot(page, "map-5-no-plot"))
        raise
    page.get_by_role("radio", name="Users", exact=True).first.click()  # "Map of" control
    wait_idle(page)
    _wait_for_text(page, "User clusters", timeout=90)  # user-side panel, not item clusters
    time.sleep(2)
    for attempt in range(3):
        _lasso(page)
        try:
            _wait_for_text(page, "Recommend for them", timeout=40)
            break
        except AssertionError:
            if attempt == 2:
                print(screenshot(page, "map-5-users-failed"))
                raise
    wait_idle(page)
    heading = page.get_by_text("Selection:").first.inner_text()
    n_users = int(heading.split(",")[-1].split("users")[0].replace(",", "").strip())
    assert n_users > 0
    assert page.get_by_text("favourite category").count()
    page.get_by_text("Selection:").first.scroll_into_view_if_needed()
    print(screenshot(page, "map-5-users-selected"))

    page.get_by_role("button", name="Recommend for them").click()
    page.wait_for_url("**/recommend**", timeout=120_000)  # the Map's caption names the picker too
    wait_idle(page)
    _wait_for_text(page, "From your map selection", timeout=120)
    # the picker is only drawn when the session holds map-selected users of this model
    assert page.get_by_label("From your map selection").count() == 1
    assert not page.get_by_text("Select users on the Map page").count()
    print(screenshot(page, "map-6-recommend-picker"))

    # back to the Map through the app's navigation: the selection is still there
    page.locator('[data-testid="stSidebarNav"] a', has_text="Map").first.click()
    wait_idle(page)
    _wait_for_text(page, "Your earlier selection", timeout=90)
    assert page.get_by_text(f"{n_users:,} users").count()
    print(screenshot(page, "map-7-selection-kept"))
