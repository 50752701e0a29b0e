"""Soak: switch between 5 models and 3 datasets many times in one process; memory levels off.

What the pages do on every switch, without the browser: open a saved dataset, load a saved model
(both through small LRU caches that stand in for ``st.cache_resource(max_entries=...)``, which
drop old entries), then call the same library functions the pages call (item and user
neighbours, recommendations with a category filter, explanations). A process-wide cache keyed on
the model or dataset (``functools.lru_cache``) would keep every evicted one alive; the library's
``per_object`` memo lets them go. Printed per round: resident memory (RSS) and how many models and
datasets are still alive (weak references).

Run: ``python -m benchmarks.bench_soak [--rounds 50]``.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import weakref
from collections import OrderedDict
from pathlib import Path

from recsys.data.demo import load_demo, write
from recsys.dataset_store import DatasetStore
from recsys.explain.explanations import explain_user
from recsys.explain.filters import all_categories, items_in_categories
from recsys.explain.neighbours import item_neighbours, user_neighbours
from recsys.store import Workspace
from recsys.training import train_and_save

MODELS = {
    "als": {"factors": 16, "iterations": 5},
    "svd": {"factors": 16},
    "spectral": {"factors": 16},
    "ease": {},
    "popular": {},
}
DATASET_CACHE = 2  # like st.cache_resource(max_entries=...) in app_ui
MODEL_CACHE = 3


def rss_mib() -> float:
    """Resident memory of this process now (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class LRU:
    """A tiny stand-in for st.cache_resource with max_entries: old entries are dropped."""

    def __init__(self, size: int, load) -> None:
        self.size, self.load, self.items = size, load, OrderedDict()

    def get(self, key):
        if key in self.items:
            self.items.move_to_end(key)
        else:
            self.items[key] = self.load(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return self.items[key]


def prepare(root: Path, small: bool = False) -> list[tuple[str, str]]:
    """Three saved datasets and five models on each: [(dataset key, model name)].

    The shipped demo plus two generated catalogues; ``small``: three small generated ones.
    """
    sizes = (
        ((400, 500, 5), (300, 400, 11), (200, 300, 13))
        if small
        else ((900, 1200, 11), (600, 800, 13))
    )
    datasets = [] if small else [load_demo()]
    for n_items, n_users, seed in sizes:
        folder = write(root / f"demo-{seed}", n_items=n_items, n_users=n_users, seed=seed)
        datasets.append(load_demo(folder))
    store, ws = DatasetStore(root), Workspace(root)
    pairs = []
    for ds in datasets:
        key = store.save(ds).key
        for model, params in MODELS.items():
            _, info = train_and_save(model, params, ds, name=f"{model}-{key}", workspace=ws)
            pairs.append((key, info.name))
    return pairs


def one_view(model, ds) -> None:
    """What the Neighbours and Recommend pages compute for a model."""
    item = ds.item_ids[int(ds.item_popularity.argmax())]
    user = ds.user_ids[int(ds.user_activity.argmax())]
    if model.has_embeddings:
        item_neighbours(model, ds, item, n=10)
        user_neighbours(model, ds, user, n=10)
    allowed = ~items_in_categories(ds, all_categories(ds)[:2])
    recs = model.recommend(user, n=10, allowed=allowed)
    if len(recs):
        explain_user(model, ds, user, str(recs["item"].iloc[0]))


def soak(
    rounds: int = 50, root: Path | None = None, verbose: bool = True, small: bool = False
) -> dict:
    """Run the soak; returns RSS per round and how many objects stayed alive."""
    tmp = tempfile.TemporaryDirectory() if root is None else None
    root = Path(tmp.name) if tmp else Path(root)
    started = time.perf_counter()
    pairs = prepare(root, small)
    store, ws = DatasetStore(root), Workspace(root)
    alive_models: list[weakref.ref] = []
    alive_datasets: list[weakref.ref] = []

    def load_dataset(key):
        ds = store.load(key)
        alive_datasets.append(weakref.ref(ds))
        return ds

    def load_model(name):
        m = ws.load_model(name)
        alive_models.append(weakref.ref(m))
        return m

    datasets, models = LRU(DATASET_CACHE, load_dataset), LRU(MODEL_CACHE, load_model)
    rss = []
    if verbose:
        print(
            f"prepared 3 datasets x {len(MODELS)} models in {time.perf_counter() - started:.1f} s"
        )
        print("round  dataset           model                      RSS MiB  alive models/datasets")
    for r in range(rounds):
        # visit the pairs in an order that keeps evicting (stride 7 over 15 pairs)
        key, name = pairs[(r * 7) % len(pairs)]
        one_view(models.get(name), datasets.get(key))
        gc.collect()
        rss.append(rss_mib())
        n_models = sum(ref() is not None for ref in alive_models)
        n_datasets = sum(ref() is not None for ref in alive_datasets)
        if verbose:
            print(
                f"{r + 1:>5}  {key:<16}  {name[:26]:<26} {rss[-1]:>8.1f}  {n_models}/{n_datasets}"
            )
    result = {
        "rss": rss,
        "alive_models": sum(ref() is not None for ref in alive_models),
        "alive_datasets": sum(ref() is not None for ref in alive_datasets),
        "loaded_models": len(alive_models),
        "loaded_datasets": len(alive_datasets),
    }
    if tmp:
        tmp.cleanup()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    res = soak(args.rounds)
    rss = res["rss"]
    half = len(rss) // 2
    print(
        f"\nRSS: round 1 {rss[0]:.0f} MiB, round {half} {rss[half - 1]:.0f} MiB, "
        f"last {rss[-1]:.0f} MiB; growth over the second half {rss[-1] - rss[half - 1]:+.1f} MiB; "
        f"peak {max(rss):.0f} MiB"
    )
    print(
        f"models loaded {res['loaded_models']}, still alive {res['alive_models']} "
        f"(cache holds {MODEL_CACHE}); datasets loaded {res['loaded_datasets']}, "
        f"still alive {res['alive_datasets']} (cache holds {DATASET_CACHE})"
    )


if __name__ == "__main__":
    main()
