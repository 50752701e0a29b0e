"""The Data page in Chromium: demo profile, a real CSV upload, and a bad upload that changes nothing."""

from __future__ import annotations

import numpy as np

from tests.e2e.conftest import open_page, screenshot, wait_idle


def _shop_csv(path):
    rng = np.random.default_rng(3)
    lines = ["customer_id,product_id,rating,timestamp,title"]
    for u in range(40):
        for i in rng.choice(25, size=6, replace=False):
            title = "<script>alert(1)</script>" if i == 0 else f"Product {i}"
            lines.append(
                f"c{u:03d},p{i:03d},{rng.integers(1, 6)},{1700000000 + int(rng.integers(0, 9e6))},{title}"
            )
    path.write_text("\n".join(lines) + "\n")
    return path


def _upload(page, path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_idle(page)


def _settled(page) -> None:
    """Wait until stale elements of the previous run are gone (one profile caption left)."""
    wait_idle(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stExpander]')]"
        ".filter(e => e.innerText.includes('What the loader did')).length <= 1"
    )
    page.wait_for_timeout(500)


def test_data_page_demo_upload_and_bad_upload(page, app_url, tmp_path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_viewport_size(
        {"width": 1400, "height": 2400}
    )  # Streamlit scrolls inside the page: tall shots
    # open the app's entry first: on a fresh server Streamlit decides between its old "app_pages/"
    # folder mode and st.navigation on the first run, and only app.py calls st.navigation
    open_page(page, app_url)
    page.get_by_text("Start in three steps").wait_for()
    open_page(page, app_url, "data")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Data", exact=True).wait_for()
    page.get_by_text("Profile: Demo catalogue").wait_for()
    page.get_by_text("Item popularity").first.wait_for()
    print(screenshot(page, "data-demo"))

    page.get_by_text("Upload a file").click()
    wait_idle(page)
    _upload(page, _shop_csv(tmp_path / "shop.csv"))
    page.get_by_text("Profile: shop").wait_for()
    page.get_by_text("Loaded shop.csv: 40 users").wait_for()
    _settled(page)
    assert page.get_by_text("Columns guessed from names and contents").first.is_visible()
    users = page.locator('[data-testid="stMetric"]').filter(has_text="Users")
    assert "40" in users.inner_text()
    print(screenshot(page, "data-upload"))

    bad = tmp_path / "holiday.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    _upload(page, bad)
    page.get_by_text("is a PNG image, not a table").wait_for()
    _settled(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 1
    assert page.get_by_text("Profile: shop").is_visible()  # the previous dataset stays
    print(screenshot(page, "data-bad-upload"))
    assert dialogs == []  # the <script> title never ran

    # the MovieLens source (not downloaded here: tests never touch the network)
    page.get_by_text("Download MovieLens").click()
    _settled(page)
    page.get_by_text("files.grouplens.org").first.wait_for()
    assert page.get_by_text("Profile: shop").is_visible()
    print(screenshot(page, "data-movielens"))
