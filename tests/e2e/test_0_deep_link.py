"""Runs first (file name): a bookmarked page URL on a fresh server must get app.py's navigation.

With a folder named ``pages/`` next to app.py, Streamlit served its old folder-based navigation
here (every helper module listed, app.py skipped); the folder is ``app_pages/`` for that reason.
"""

from tests.e2e.conftest import open_page, screenshot


def test_deep_link_on_fresh_server_uses_the_apps_navigation(page, app_url):
    open_page(page, app_url, "neighbours")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Home").wait_for()
    links = nav.inner_text()
    assert "Learn" in links and "Neighbours" in links
    assert "common" not in links.lower()  # helper modules are never pages
    page.get_by_text("Demo catalogue").first.wait_for()  # the shared sidebar ran
    print(screenshot(page, "deep-link-neighbours"))
