"""`import recsys` (and its submodules) must never pull in streamlit."""

import subprocess
import sys


def test_recsys_does_not_import_streamlit():
    code = (
        "import sys, pkgutil, importlib, recsys\n"
        "for m in pkgutil.walk_packages(recsys.__path__, 'recsys.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
