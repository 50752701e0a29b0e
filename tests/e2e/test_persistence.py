"""Nothing lost on reload: an uploaded dataset stays, and the URL reopens the same view.

An upload is kept in the workspace and named in the URL (``?dataset=<key>``); the Recommend page
writes its model and user there too. Reloading the tab, and opening the link in a fresh browser
context (another person, no session), show the same dataset, model and user.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import open_page, screenshot, wait_idle

USERS = ["007", "7", "A1", "b2", "c3", "d4"]
ITEMS = ["x1", "x2", "x3", "007", "7", "x6", "x7", "x8"]


def plays_csv(path, users=USERS, items=ITEMS, seed: int = 1):
    """A small play-count file whose ids look like numbers ("007" and "7" are different)."""
    import random

    rng = random.Random(seed)
    rows = ["user,item,plays"]
    for u in users:
        for i in rng.sample(items, 5):
            rows.append(f"{u},{i},{rng.randint(1, 9)}")
    path.write_text("\n".join(rows) + "\n")
    return path


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def goto_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    wait_idle(page)


def upload(page, path) -> None:
    goto_page(page, "Data")
    page.get_by_text("Upload a file").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_idle(page)
    page.get_by_text(f"Loaded {path.name}").wait_for()
    page.wait_for_url(re.compile(r"dataset=[0-9a-f]{16}"))


def sidebar_dataset(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def combobox_value(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def ready_model(page) -> None:
    """On a model page: train the quick ALS model when there is none yet."""
    page.get_by_role("combobox", name="Model", exact=True).or_(
        page.get_by_role("button", name="Train a quick ALS model")
    ).first.wait_for()
    button = page.get_by_role("button", name="Train a quick ALS model")
    if button.count():
        button.click()
        wait_idle(page)
    page.get_by_role("combobox", name="Model", exact=True).wait_for()


def pick(page, label: str, text: str) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_idle(page)


USER_LABEL = "User (type to search by id)"


def test_upload_survives_reload_and_a_shared_link_opens_the_same_view(
    page, browser, app_url, tmp_path
):
    open_page(page, app_url)
    page.get_by_text("Start in three steps").wait_for()
    upload(page, plays_csv(tmp_path / "plays.csv"))
    key = params(page)["dataset"]
    page.get_by_text("Saved datasets").wait_for()
    saved = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="30 interactions")
    assert "plays · loaded" in saved.first.inner_text()

    page.reload()
    wait_idle(page)
    page.get_by_text("Profile: plays").wait_for()  # not back to the demo
    assert "plays" in sidebar_dataset(page) and "6 users" in sidebar_dataset(page)
    assert params(page)["dataset"] == key
    print(screenshot(page, "persistence-reloaded-data"))

    goto_page(page, "Recommend")
    ready_model(page)
    pick(page, USER_LABEL, "A1")
    page.wait_for_url(re.compile(r"user=A1"))
    view = params(page)
    assert view["dataset"] == key and view["user"] == "A1" and view.get("model")
    assert combobox_value(page, USER_LABEL).startswith("A1 ")

    page.reload()
    wait_idle(page)
    print(screenshot(page, "persistence-reloaded-recommend"))
    page.get_by_role("combobox", name=USER_LABEL, exact=True).wait_for(timeout=180_000)
    assert combobox_value(page, USER_LABEL).startswith("A1 ")
    assert params(page) == view

    # a shared link, opened by someone else (a fresh browser context: no session, no cookies)
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        friend = other.new_page()
        friend.set_default_timeout(60_000)
        friend.goto(page.url)
        wait_idle(friend)
        friend.get_by_role("combobox", name=USER_LABEL, exact=True).wait_for(timeout=180_000)
        assert "plays" in sidebar_dataset(friend)
        assert combobox_value(friend, USER_LABEL).startswith("A1 ")
        assert combobox_value(friend, "Model").startswith(view["model"])
        print(screenshot(friend, "persistence-shared-link"))

        # the item is carried the same way (Neighbours page); "007" stays "007", not "7"
        friend.goto(f"{app_url}/neighbours?dataset={key}&item=007")
        wait_idle(friend)
        item_box = friend.get_by_role("combobox", name="Item (type to search titles)", exact=True)
        item_box.wait_for()
        assert item_box.input_value() == "007"
        assert params(friend)["item"] == "007" and params(friend)["dataset"] == key
    finally:
        other.close()


def test_a_link_to_a_missing_dataset_says_so_and_shows_the_demo(page, app_url):
    open_page(page, app_url, "?dataset=0123456789abcdef")
    page.get_by_text("cannot be opened here").wait_for()
    assert "Demo catalogue" in sidebar_dataset(page)
    assert "dataset" not in params(page)
