"""Entry point in the checkout (`streamlit run app.py`); the app itself is app_ui/entry.py."""

from app_ui.entry import main

main()
