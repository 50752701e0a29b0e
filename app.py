"""Entry point: page config, navigation over pages/, and the shared sidebar."""

from pathlib import Path

import streamlit as st

from pages import _common

st.set_page_config(page_title="Recsys Embedding Explorer", page_icon="🧭", layout="wide")

HERE = Path(__file__).parent
# (file, title, icon); a page is listed only when its file exists, so only working pages show.
PAGES = [
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/data.py", "Data", ":material/table:"),
    ("pages/train.py", "Train", ":material/model_training:"),
    ("pages/map.py", "Map", ":material/scatter_plot:"),
    ("pages/recommend.py", "Recommend", ":material/recommend:"),
    ("pages/neighbours.py", "Neighbours", ":material/hub:"),
    ("pages/evaluate.py", "Evaluate", ":material/leaderboard:"),
    ("pages/learn.py", "Learn", ":material/school:"),
]

nav = st.navigation(
    [
        st.Page(str(HERE / path), title=title, icon=icon, default=(title == "Home"))
        for path, title, icon in PAGES
        if (HERE / path).exists()
    ]
)
_common.on_server_start()
_common.sidebar()
nav.run()
