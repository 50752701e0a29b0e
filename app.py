"""Entry point: page config, navigation over app_pages/, and the shared sidebar.

The page folder is deliberately not called ``pages/``: Streamlit treats a ``pages/`` folder next
to the entry script as its old folder-based navigation until ``st.navigation`` has run once, so a
bookmarked page URL on a fresh server would skip app.py and list every helper module.
"""

from pathlib import Path

import streamlit as st

from app_ui import common, maps

st.set_page_config(page_title="Recsys Embedding Explorer", page_icon="🧭", layout="wide")

HERE = Path(__file__).parent
# (file, title, icon); a page is listed only when its file exists, so only working pages show.
PAGES = [
    ("app_pages/home.py", "Home", ":material/home:"),
    ("app_pages/data.py", "Data", ":material/table:"),
    ("app_pages/train.py", "Train", ":material/model_training:"),
    ("app_pages/map.py", "Map", ":material/scatter_plot:"),
    ("app_pages/recommend.py", "Recommend", ":material/recommend:"),
    ("app_pages/neighbours.py", "Neighbours", ":material/hub:"),
    ("app_pages/evaluate.py", "Evaluate", ":material/leaderboard:"),
    ("app_pages/learn.py", "Learn", ":material/school:"),
]

nav = st.navigation(
    [
        st.Page(str(HERE / path), title=title, icon=icon, default=(title == "Home"))
        for path, title, icon in PAGES
        if (HERE / path).exists()
    ]
)
maps.start_umap_warm_up()  # st.cache_resource: the thread starts once per server
common.sidebar()
nav.run()
