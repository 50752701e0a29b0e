"""Streamlit page helpers: state keys, cached loaders, shared widgets. Pages import these; recsys never does."""
