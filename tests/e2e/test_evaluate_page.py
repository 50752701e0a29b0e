"""Evaluate in Chromium: run a small comparison, see the leaderboard, compare users, search."""

from __future__ import annotations

from tests.e2e.conftest import open_page, screenshot, wait_idle


def _open(page, app_url) -> None:
    # open the app first and follow its navigation (a cold deep link to a sub-page can run
    # Streamlit's old pages/-directory mode instead of app.py's st.navigation)
    open_page(page, app_url, "")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Evaluate", exact=True).click()
    wait_idle(page)
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Learn", exact=True).count()


def test_run_evaluation_and_see_leaderboard(page, app_url):
    _open(page, app_url)
    page.get_by_text("Evaluate and compare models").first.wait_for()
    print(screenshot(page, "evaluate-start"))
    page.get_by_role("button", name="Run evaluation").click()
    page.get_by_text("Most popular (baseline)").first.wait_for(state="attached", timeout=120_000)
    wait_idle(page)
    # the leaderboard grid holds the three models plus both baselines
    for name in ("ALS (implicit feedback)", "PureSVD", "Random (baseline)"):
        page.locator("[role=gridcell]", has_text=name).first.wait_for(state="attached", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() >= 4
    print(screenshot(page, "evaluate-leaderboard"))

    page.get_by_role("tab", name="Per user").click()
    page.get_by_text("Where").first.wait_for()
    wait_idle(page)
    print(screenshot(page, "evaluate-per-user"))

    page.get_by_role("tab", name="Metric definitions").click()
    page.get_by_text("Protocol.").first.wait_for()
    print(screenshot(page, "evaluate-definitions"))


def test_search_from_page(page, app_url):
    _open(page, app_url)
    page.get_by_role("tab", name="Hyperparameter search").click()
    box = page.get_by_label("factors values", exact=True)
    box.fill("8, 32")
    box.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Run search").click()
    page.get_by_text("Best on validation").first.wait_for(timeout=120_000)
    wait_idle(page)
    print(screenshot(page, "evaluate-search"))
