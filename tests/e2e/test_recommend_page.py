"""Recommend and Neighbours in Chromium: a user's list with reasons, a built profile, neighbours."""

from __future__ import annotations

import time

import pytest

from recsys.data.demo import load_demo
from recsys.models.registry import create_model
from recsys.store import Workspace
from tests.e2e.conftest import open_page, screenshot, wait_idle

ALS = "rec-e2e-als"
SVD = "rec-e2e-svd"


@pytest.fixture(scope="module")
def saved_models(workspace_dir):
    ws = Workspace(workspace_dir)
    ds = load_demo()
    if not ws.exists(ALS):
        ws.save_model(create_model("als", factors=32, iterations=8).fit(ds), ALS, ds)
    if not ws.exists(SVD):
        ws.save_model(create_model("svd", factors=32).fit(ds), SVD, ds)
    return ALS, SVD


def _open(page, app_url: str, path: str) -> None:
    """Open the app at its root first (so app.py sets up navigation), then the page."""
    page.set_viewport_size({"width": 1400, "height": 2400})  # tall: screenshots show the page
    open_page(page, app_url, "")
    open_page(page, app_url, path)


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_label(label, exact=True).first
    if option not in box.input_value():
        box.click()
        box.fill(option)  # filter first: the dropdown renders only the options in view
        page.get_by_role("option", name=option).first.click()
        wait_idle(page)


def _wait_for_text(page, text: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.get_by_text(text).count():
            return
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear within {timeout:.0f} s")


def _why_labels(page) -> list[str]:
    return page.locator("p:has-text('why?'):visible").all_inner_texts()


def test_user_recommendations_with_reasons(page, app_url, saved_models):
    _open(page, app_url, "recommend")
    _choose(page, "Model", ALS)
    page.get_by_role("button", name="Most active").click()
    wait_idle(page)
    first = page.locator("p:has-text('why?'):visible").first
    first.click()
    _wait_for_text(page, "Because you rated")
    assert page.get_by_text("Because you rated").first.is_visible()
    # the contribution bars are drawn once the expander is open (it reruns the page), the map
    # once its own expander is opened
    deadline = time.time() + 60
    while page.locator(".js-plotly-plot").count() < 1 and time.time() < deadline:
        time.sleep(0.3)
    assert page.locator(".js-plotly-plot").count() == 1  # the contribution bars, no map yet
    page.locator("summary").filter(has_text="On the map, among all items").click()
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    _wait_for_text(page, "Joint PCA map of item and user vectors")
    page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
    print(screenshot(page, "recommend-1b-map"))
    # the map stays open for the next user
    before = page.locator("h3").filter(has_text="History of").inner_text()
    page.get_by_role("button", name="Random user").click()
    page.locator("h3").filter(has_text="History of").filter(has_not_text=before).wait_for()
    wait_idle(page)
    _wait_for_text(page, "Joint PCA map of item and user vectors")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    print(screenshot(page, "recommend-1-user"))
    page.locator('[data-testid="stCheckbox"]').filter(has_text="Compare with another model").click()
    wait_idle(page)
    _choose(page, "Second model", SVD)
    _wait_for_text(page, "Items in both top-10 lists")
    page.get_by_text("Compare with another model").first.scroll_into_view_if_needed()
    print(screenshot(page, "recommend-2-compare"))


def test_build_a_profile_of_three_items(page, app_url, saved_models):
    _open(page, app_url, "recommend")
    _choose(page, "Model", ALS)
    page.get_by_role("tab", name="Build your own profile").click()
    box = page.get_by_label("Items you like (type to search titles)")
    for title in ("The Stellar Fleet", "The Orbital Empire", "The Nebula Armada"):
        box.click()
        box.fill(title)
        page.get_by_role("option", name=title, exact=True).click()
        wait_idle(page)
        page.keyboard.press("Escape")
    wait_idle(page)
    # one optional rating slider per pick: exactly the three items were picked
    sliders = page.locator('[data-testid="stSlider"]:visible')
    deadline = time.time() + 30
    while sliders.count() != 3 and time.time() < deadline:
        time.sleep(0.3)
    if sliders.count() != 3:
        print(screenshot(page, "recommend-3-profile-failed"))
    assert sliders.count() == 3
    _wait_for_text(page, "Recommended for you")
    page.locator("p:has-text('why?'):visible").first.click()
    _wait_for_text(page, "Because you picked")
    time.sleep(1)  # let the expander finish opening before the screenshot
    assert page.get_by_text("you are here").count()
    print(screenshot(page, "recommend-3-profile"))
    # "optionally rate them": rate the first pick 1★ (a dislike) and the list changes
    before = _why_labels(page)
    # Streamlit's slider is a react-aria <input type="range"> (implicit role, no role attribute)
    page.locator('[data-testid="stSlider"]:visible').first.locator('input[type="range"]').focus()
    page.keyboard.press("ArrowRight")  # from "–" (unrated) to 1★
    wait_idle(page)
    deadline = time.time() + 60
    while _why_labels(page) == before and time.time() < deadline:
        time.sleep(0.3)
    assert _why_labels(page) != before
    assert page.get_by_text("1★").count()
    print(screenshot(page, "recommend-3b-profile-rated"))
    page.get_by_role("tab", name="Cold-start items").click()
    box = page.get_by_label("Treat these known items as cold", exact=False)
    for title in ("The Neon City", "The Sweet Kiss"):
        box.click()
        box.fill(title)
        page.get_by_role("option", name=title, exact=True).click()
        wait_idle(page)
        page.keyboard.press("Escape")
    _wait_for_text(page, "2 cold-start item(s)")
    print(screenshot(page, "recommend-4-coldstart"))


def test_neighbours_of_an_item(page, app_url, saved_models):
    _open(page, app_url, "neighbours")
    _choose(page, "Model", ALS)
    box = page.get_by_label("Item (type to search titles)")
    box.click()
    box.fill("Neon City")
    page.get_by_role("option").first.click()
    wait_idle(page)
    page.get_by_text("Reasons in words").click()
    _wait_for_text(page, "users interacted with both")
    time.sleep(1)
    print(screenshot(page, "neighbours-1-item"))
