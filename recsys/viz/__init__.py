"""Plotly figure builders: pure functions, data in and figure out (no streamlit)."""
