"""Two people on one server at once: no cross-talk of datasets, selections or training.

Without Streamlit login the workspace (saved datasets, models) is shared by everyone on the
server, as the README says; what each browser session has loaded, picked and made active is its
own. Two browser contexts (two people) load different files, train, and pick different users.
"""

from __future__ import annotations

from tests.e2e.conftest import open_page, screenshot, wait_idle
from tests.e2e.test_persistence import (
    USER_LABEL,
    combobox_value,
    goto_page,
    params,
    pick,
    plays_csv,
    ready_model,
    sidebar_dataset,
    upload,
)


def test_two_sessions_keep_their_own_dataset_model_and_user(browser, app_url, tmp_path):
    people = {}
    try:
        for who, users in (("alpha", ["a1", "a2", "a3", "a4"]), ("beta", ["b1", "b2", "b3"])):
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = ctx.new_page()
            page.set_default_timeout(120_000)
            people[who] = (ctx, page)
            open_page(page, app_url)
            page.get_by_text("Start in three steps").wait_for()
            upload(page, plays_csv(tmp_path / f"{who}.csv", users=users, seed=len(users)))
        alpha, beta = people["alpha"][1], people["beta"][1]
        assert "alpha" in sidebar_dataset(alpha) and "beta" not in sidebar_dataset(alpha)
        assert "beta" in sidebar_dataset(beta) and "alpha" not in sidebar_dataset(beta)

        # both train a model for their own data and pick a user, interleaved
        for page in (alpha, beta):
            goto_page(page, "Recommend")
            ready_model(page)
        for page, user in ((alpha, "a3"), (beta, "b2")):
            pick(page, USER_LABEL, user)
            page.wait_for_url(f"**user={user}**")
        a_view, b_view = params(alpha), params(beta)
        assert a_view["dataset"] != b_view["dataset"]
        assert a_view["model"] != b_view["model"]  # each session's active model is its own

        for page, who, user, view in ((alpha, "alpha", "a3", a_view), (beta, "beta", "b2", b_view)):
            page.reload()
            wait_idle(page)
            page.get_by_role("combobox", name=USER_LABEL, exact=True).wait_for(timeout=180_000)
            assert combobox_value(page, USER_LABEL).startswith(f"{user} ")
            assert combobox_value(page, "Model").startswith(view["model"])
            assert who in sidebar_dataset(page)
            assert params(page) == view
            print(screenshot(page, f"sessions-{who}"))
        # the other person's model (trained on other data) is not offered for this dataset
        beta.get_by_role("combobox", name="Model", exact=True).click()
        options = beta.get_by_role("option").all_inner_texts()
        beta.keyboard.press("Escape")
        assert options and not any(a_view["model"] in o for o in options)
    finally:
        for ctx, _ in people.values():
            ctx.close()
