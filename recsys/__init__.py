"""Recsys Embedding Explorer: the library under the app.

This package never imports streamlit; the app's pages call into it.
"""

__version__ = "0.1.0"
