"""Load + index benchmark: ml-latest-small, and a generated 5,000,000-row CSV with string ids.

Each measurement runs in a fresh subprocess so that peak memory (``ru_maxrss``) belongs to that
load alone. Target on a 2-core machine: 5M rows in <= 15 s with <= 2 GiB peak.

Usage::

    python -m benchmarks.bench_load            # both
    python -m benchmarks.bench_load --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from recsys.data.reference import ml_small_path

ML_SMALL = ml_small_path()
ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from recsys.data import load_path
t1 = time.perf_counter()
c1 = os.times()
ds = load_path(sys.argv[1])
t2 = time.perf_counter()
m = ds.matrix  # the users x items CSR index every model uses
t3 = time.perf_counter()
c3 = os.times()
print(json.dumps({
    "cpu_s": (c3.user - c1.user) + (c3.system - c1.system), "load_avg": os.getloadavg()[0],
    "import_s": t1 - t0, "load_s": t2 - t1, "index_s": t3 - t2,
    "users": ds.n_users, "items": ds.n_items, "interactions": ds.n_interactions, "nnz": int(m.nnz),
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def generate_csv(path: Path, rows: int, seed: int = 0) -> Path:
    """Write ``rows`` interactions with string ids (user_0001234, item_000567), ratings and times."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    n_users, n_items = max(rows // 50, 10), max(rows // 100, 10)
    chunk = 1_000_000
    with pacsv.CSVWriter(
        path,
        pa.schema(
            [
                ("user_id", pa.string()),
                ("item_id", pa.string()),
                ("rating", pa.int8()),
                ("timestamp", pa.int64()),
            ]
        ),
    ) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            users = rng.integers(0, n_users, n)
            # Zipf-like item popularity: a long tail like real catalogues
            items = np.minimum((rng.pareto(1.2, n) * n_items / 20).astype(np.int64), n_items - 1)
            table = pa.table(
                {
                    "user_id": pc.binary_join_element_wise(
                        "user_", pc.utf8_lpad(pa.array(users.astype(str)), 7, "0"), ""
                    ),
                    "item_id": pc.binary_join_element_wise(
                        "item_", pc.utf8_lpad(pa.array(items.astype(str)), 6, "0"), ""
                    ),
                    "rating": pa.array(rng.integers(1, 6, n), pa.int8()),
                    "timestamp": pa.array(rng.integers(1_500_000_000, 1_700_000_000, n)),
                }
            )
            writer.write_table(table)
    return path


def measure(path: Path) -> dict:
    """Load ``path`` in a fresh interpreter; return its timings and peak memory."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, result: dict, size: int | None = None) -> None:
    total = result["load_s"] + result["index_s"]
    size_txt = f", file {size / 2**20:,.0f} MiB" if size else ""
    print(
        f"{label}: {result['interactions']:,} interactions, {result['users']:,} users, "
        f"{result['items']:,} items{size_txt}\n"
        f"  load {result['load_s']:.2f} s + index {result['index_s']:.2f} s = {total:.2f} s "
        f"(imports {result['import_s']:.2f} s); CPU {result['cpu_s']:.2f} s; "
        f"peak memory {result['peak_mib']:,.0f} MiB; machine load average {result['load_avg']:.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--skip-small", action="store_true")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    if not args.skip_small:
        if (ML_SMALL / "ratings.csv").exists():
            report("ml-latest-small", measure(ML_SMALL))
        else:
            print(f"ml-latest-small: skipped (not found at {ML_SMALL}; set RECSYS_ML_SMALL)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "interactions.csv"
        t = time.perf_counter()
        generate_csv(path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
        result = measure(path)
        report(f"generated CSV ({args.rows:,} rows, string ids)", result, path.stat().st_size)
        total = result["load_s"] + result["index_s"]
        ok = total <= 15 and result["peak_mib"] <= 2048
        print(f"  target <= 15 s and <= 2048 MiB: {'met' if ok else 'NOT met'}")
        if result["load_avg"] > (os.cpu_count() or 1):
            print(
                "  note: the machine was busy (load average above the number of CPUs), so wall "
                "times are inflated; the CPU time is the fairer figure."
            )


if __name__ == "__main__":
    main()
