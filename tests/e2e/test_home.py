from tests.e2e.conftest import open_page, screenshot


def test_home_page_shows_demo_and_three_steps(page, app_url):
    open_page(page, app_url)
    page.get_by_text("Start in three steps").wait_for()
    assert page.get_by_text("Demo catalogue").first.is_visible()
    print(screenshot(page, "home"))
