"""Map quality on real-shaped catalogues: metadata coherence, clusters, and ALS weighting.

For the demo, ml-latest-small (genres) and a generated Last.fm-shaped catalogue (tags, play
counts, long tail; ``tests/lastfm_like.py``), with the default model (ALS at its defaults) and
the Map page's default settings (UMAP 2-D, cosine, 15 neighbours, min_dist 0.1, seed 42):

- *before* this issue: every item on the map, KMeans (k=12) on the vectors;
- *after*: the supported items (the page's default), HDBSCAN on the map (minimum cluster size
  2% of the points, min_samples 5), every cluster named.

Coherence lift = share of each item's 10 nearest map neighbours sharing its main category/tag
over the same share for random pairs. Silhouettes: of the clusters, in the space they were made
in (vectors: cosine; map: Euclidean). ``--only weighting`` compares ALS confidence weightings on
the Last.fm-like data: NDCG@10 on a seeded random 20% per-user split (the data has no times)
and the quality of the supported item map.

Run: ``.venv/bin/python benchmarks/bench_map_quality.py [--only demo,ml,lastfm,weighting]``.
Prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recsys.maps.clusters import cluster_embeddings, default_min_cluster_size  # noqa: E402
from recsys.maps.embedding_set import EmbeddingSet  # noqa: E402
from recsys.maps.projection import ProjectionParams, project  # noqa: E402
from recsys.maps.quality import metadata_coherence  # noqa: E402
from recsys.models.registry import create_model  # noqa: E402
from recsys.viz.map_view import cluster_frame, shown_points  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)


def load(name: str):
    if name == "demo":
        from recsys.data.demo import load_demo

        return load_demo()
    if name == "ml":
        from recsys.data import load_path
        from recsys.data.reference import ml_small_path

        return load_path(ml_small_path())
    from tests.lastfm_like import lastfm_like_dataset

    return lastfm_like_dataset()


def item_map_quality(es: EmbeddingSet, show_all: bool, clusters: str) -> dict:
    """Coherence and clusters of the items map as the page draws it by default."""
    positions, _ = shown_points(es, "items", show_all)
    vectors = es.item_vectors[positions]
    start = time.perf_counter()
    coords = project(vectors, ProjectionParams())
    seconds = time.perf_counter() - start
    cats, tags = es.categories, es.tags
    coh = metadata_coherence(coords, [cats[i] for i in positions], [tags[i] for i in positions])
    frame = cluster_frame(es, "items").iloc[positions].reset_index(drop=True)
    if clusters == "kmeans":
        cl = cluster_embeddings(vectors, frame, "kmeans", k=12, seed=42)
    else:
        size = default_min_cluster_size(len(positions))
        cl = cluster_embeddings(vectors, frame, "map", min_cluster_size=size, coords=coords)
    named = cl.summary[cl.summary.cluster >= 0]
    weak = named["name"].str.startswith("mostly ") | named["name"].str.match(r"cluster \d+$")
    per_cluster = named["silhouette"]
    return {
        "points": len(positions),
        "umap_s": seconds,
        "lift": coh.lift,
        "share": coh.share,
        "baseline": coh.baseline,
        "label": coh.label,
        "clusters": cl.n_clusters,
        "noise": cl.noise_share,
        "silhouette": cl.silhouette,
        "min_silhouette": float(per_cluster.min()) if len(per_cluster) else float("nan"),
        "space": cl.space,
        "without_clear_name": int(weak.sum()),
        "bare": int(named["name"].str.match(r"cluster \d+$").sum()),
        "names": list(named["name"])[:8],
        "support": float(named["support"].mean()) if len(named) else float("nan"),
    }


def _row(label: str, q: dict) -> str:
    return (
        f"| {label} | {q['points']:,} | {q['lift']:.2f} ({q['share']:.2f} vs {q['baseline']:.2f},"
        f" {q['label']}) | {q['clusters']} ({q['space']}, {q['noise']:.0%} noise) | "
        f"{q['silhouette']:.2f} (min {q['min_silhouette']:.2f}) | {q['without_clear_name']} "
        f"weak, {q['bare']} bare | {q['support']:.0%} |"
    )


HEADER = (
    "| map | points | coherence lift (share vs random) | clusters | mean silhouette | "
    "names without a clear term | name support |\n|---|---|---|---|---|---|---|"
)


def bench_catalogue(name: str) -> None:
    ds = load(name)
    model = create_model("als").fit(ds)
    es = EmbeddingSet.from_model(model, ds, name=f"ALS on {ds.name}")
    print(
        f"\n## {ds.name}: {ds.n_users:,} users, {ds.n_items:,} items, ALS defaults "
        f"(weighting: {model.weighting_.description})"
    )
    print(HEADER)
    before = item_map_quality(es, show_all=True, clusters="kmeans")
    print(_row("before: all items, KMeans 12 on vectors", before), flush=True)
    after = item_map_quality(es, show_all=False, clusters="map")
    print(_row("after: supported items, HDBSCAN on the map", after), flush=True)
    print("cluster names (after):", "; ".join(after["names"]))


def bench_weighting() -> None:
    from recsys.evaluation.comparison import ModelSpec, run_comparison
    from recsys.evaluation.metrics import random_split

    ds = load("lastfm")
    split = random_split(ds, 0.2, seed=42)
    print(
        f"\n## ALS weighting on {ds.name} ({ds.n_users:,} users, {ds.n_items:,} items, "
        "random 20% per user held out, NDCG@10 over all training items)"
    )
    print("| weighting | NDCG@10 | recall@10 | coherence lift | clusters | mean silhouette |")
    print("|---|---|---|---|---|---|")
    for kind in ("binary", "none", "log", "bm25"):
        comparison = run_comparison(
            ds, split, [ModelSpec("als", {"weighting": kind})], k=10, include_baselines=False
        )
        metrics = comparison.results[0].metrics
        model = create_model("als", weighting=kind).fit(ds)
        q = item_map_quality(EmbeddingSet.from_model(model, ds), False, "map")
        print(
            f"| {kind} | {metrics['ndcg']:.4f} | {metrics['recall']:.4f} | {q['lift']:.2f} | "
            f"{q['clusters']} ({q['noise']:.0%} noise) | {q['silhouette']:.2f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="demo,ml,lastfm,weighting")
    for part in parser.parse_args().only.split(","):
        bench_weighting() if part == "weighting" else bench_catalogue(part)


if __name__ == "__main__":
    main()
