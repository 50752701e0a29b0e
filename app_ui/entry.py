"""The app's entry script: page config, sign-in, the view in the URL, navigation, the sidebar.

``streamlit run app.py`` (the checkout) and ``recsys app`` (an installed package) both run this.
The page folder is deliberately not called ``pages/``: Streamlit treats a ``pages/`` folder next
to the entry script as its old folder-based navigation until ``st.navigation`` has run, so a
bookmarked page URL on a fresh server would skip the entry script and list every helper module.
Pages are given by absolute path, so they are found wherever the package is installed.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_ui import common, maps, view_url
from app_ui.workspace import require_sign_in

PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"
# (file, title, icon); a page is listed only when its file exists, so only working pages show.
PAGES = [
    ("home.py", "Home", ":material/home:"),
    ("data.py", "Data", ":material/table:"),
    ("train.py", "Train", ":material/model_training:"),
    ("map.py", "Map", ":material/scatter_plot:"),
    ("recommend.py", "Recommend", ":material/recommend:"),
    ("neighbours.py", "Neighbours", ":material/hub:"),
    ("evaluate.py", "Evaluate", ":material/leaderboard:"),
    ("learn.py", "Learn", ":material/school:"),
]


def main() -> None:
    """One script run of the app."""
    st.set_page_config(page_title="Recsys Embedding Explorer", page_icon="🧭", layout="wide")
    nav = st.navigation(
        [
            st.Page(str(PAGES_DIR / path), title=title, icon=icon, default=(title == "Home"))
            for path, title, icon in PAGES
            if (PAGES_DIR / path).exists()
        ]
    )
    require_sign_in()  # only when Streamlit login is configured
    maps.start_umap_warm_up()  # st.cache_resource: the thread starts once per server
    view_url.restore_view()
    view_url.publish_view()  # at once too: navigating drops the query string, a run can be long
    common.sidebar()
    try:
        nav.run()
    finally:  # also after st.stop() in a page
        view_url.publish_view()


if __name__ == "__main__":
    main()
