"""Neighbours in Chromium on a long-tailed catalogue: low-support neighbours are left out by
default and flagged, with a reason, when shown (issue 14.3)."""

from __future__ import annotations

import time

import pytest

from benchmarks.synthetic import synthetic_dataset
from recsys.dataset_store import DatasetStore
from recsys.explain.neighbours import LOW_SUPPORT_USERS, item_neighbours
from recsys.models.registry import create_model
from recsys.store import Workspace
from tests.e2e.conftest import open_page, screenshot, wait_idle

MODEL = "nb-e2e-longtail-als"


@pytest.fixture(scope="module")
def long_tail(workspace_dir):
    """A small seeded music-like catalogue (tags, play counts, many one-listener items)."""
    ds = synthetic_dataset(n_items=800, n_users=150, per_user=15, n_scenes=8, n_tags=40)
    model = create_model("als", factors=16, iterations=8).fit(ds)
    DatasetStore(workspace_dir).save(ds)
    Workspace(workspace_dir).save_model(model, MODEL, ds)
    # an item whose plain cosine list reaches into the long tail
    for item in ds.item_ids.ids[ds.item_popularity >= LOW_SUPPORT_USERS]:
        if item_neighbours(model, ds, item, n=10)["low_support"].any():
            return ds, item
    pytest.fail("no neighbour list reaches the long tail")


def _wait_for_text(page, text: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.get_by_text(text).count():
            return
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear within {timeout:.0f} s")


def test_low_support_neighbours_hidden_then_flagged(page, app_url, long_tail):
    ds, item = long_tail
    page.set_viewport_size({"width": 1400, "height": 2000})
    open_page(page, app_url, "")
    open_page(page, app_url, f"neighbours?dataset={ds.fingerprint}&model={MODEL}&item={item}")
    _wait_for_text(page, "are left out of this list")
    page.get_by_text("Reasons in words").click()
    _wait_for_text(page, "users interacted with both")
    assert page.get_by_text("low support:").count() == 0
    print(screenshot(page, "neighbours-2-low-support-hidden"))
    page.locator('[data-testid="stCheckbox"]').filter(has_text="Hide neighbours with fewer").click()
    wait_idle(page)
    _wait_for_text(page, "flagged ⚠ low")
    if not page.get_by_text("low support:").count():
        page.get_by_text("Reasons in words").click()
    _wait_for_text(page, "low support: a vector learned from so few users")
    print(screenshot(page, "neighbours-3-low-support-flagged"))
