"""A seeded synthetic catalogue shaped like a real music log, for latency benchmarks.

About 20,000 items and 2,000 users, like Last.fm HetRec 2011 (17,632 artists, 1,892 users, each
user's top-50 artists with play counts): a long popularity tail (many items with a single
listener), play counts as weights, free-form tags, no timestamps and no categories. Items belong
to planted scenes so models have structure to find.

It is written in the HetRec layout (``user_artists.dat``, ``artists.dat``,
``user_taggedartists.dat``, ``tags.dat``) so the app loads it through its normal upload path,
exactly as a user's file would be.

Use ``write_hetrec_zip(path)`` for a file to upload, or ``synthetic_dataset()`` for a Dataset.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SYLLABLES = [
    "ka", "lo", "mi", "ra", "ven", "tor", "shi", "bel", "nor", "da", "zu", "fen", "gal", "ith",
    "mar", "quo", "rex", "sol", "tin", "ul", "vor", "wex", "yan", "zel", "bro", "cri", "dru",
]  # fmt: skip


@dataclass
class Catalogue:
    """Frames of a generated catalogue (HetRec column names)."""

    user_artists: pd.DataFrame  # userID, artistID, weight
    artists: pd.DataFrame  # id, name, url, pictureURL
    user_taggedartists: pd.DataFrame  # userID, artistID, tagID, day, month, year
    tags: pd.DataFrame  # tagID, tagValue


def generate_catalogue(
    n_items: int = 20_000,
    n_users: int = 2_000,
    per_user: int = 50,
    n_scenes: int = 40,
    n_tags: int = 400,
    seed: int = 14,
) -> Catalogue:
    """Generate a long-tail catalogue with planted scenes, play counts and tags (no times).

    Each user listens to ``per_user`` items on average (a lognormal spread), drawn mostly from
    1-3 preferred scenes and weighted by a Zipf-like popularity, so a few items have hundreds of
    listeners and most have one or two.
    """
    rng = np.random.default_rng(seed)
    scene = rng.integers(0, n_scenes, n_items)
    # Zipf-like popularity over a random permutation: a long tail inside every scene
    weight = 1.0 / np.arange(1, n_items + 1) ** 0.8
    weight = weight[rng.permutation(n_items)]
    by_scene = [np.flatnonzero(scene == s) for s in range(n_scenes)]
    scene_p = [weight[ix] / weight[ix].sum() for ix in by_scene]
    all_p = weight / weight.sum()

    users, items, plays = [], [], []
    for u in range(n_users):
        k = int(np.clip(rng.lognormal(np.log(per_user), 0.5), 5, 4 * per_user))
        liked = rng.choice(n_scenes, rng.integers(1, 4), replace=False)
        from_scenes = rng.binomial(k, 0.8)
        picks = [rng.choice(n_items, k - from_scenes, replace=False, p=all_p)]
        for part, s in zip(np.array_split(np.arange(from_scenes), len(liked)), liked, strict=True):
            m = min(len(part), len(by_scene[s]))
            picks.append(by_scene[s][rng.choice(len(by_scene[s]), m, replace=False, p=scene_p[s])])
        chosen = np.unique(np.concatenate(picks))
        users.append(np.full(len(chosen), u + 1))
        items.append(chosen + 1)
        plays.append(np.maximum(1, rng.lognormal(5, 1.5, len(chosen)).astype(np.int64)))
    ua = pd.DataFrame(
        {
            "userID": np.concatenate(users),
            "artistID": np.concatenate(items),
            "weight": np.concatenate(plays),
        }
    )

    names, seen = [], set()
    for _ in range(n_items):
        while True:
            parts = rng.choice(SYLLABLES, rng.integers(2, 5))
            name = "".join(parts).capitalize()
            if rng.random() < 0.3:
                name = f"The {name}s"
            if name not in seen:
                seen.add(name)
                names.append(name)
                break
    artists = pd.DataFrame(
        {
            "id": np.arange(1, n_items + 1),
            "name": names,
            "url": [f"http://example.invalid/{i}" for i in range(1, n_items + 1)],
            "pictureURL": "",
        }
    )

    # tags: each scene has a few typical tags; listeners tag popular items more often
    tag_names = [f"{''.join(rng.choice(SYLLABLES, 2))}-{i}" for i in range(n_tags)]
    scene_tags = rng.integers(0, n_tags, (n_scenes, 5))
    tagged = ua.sample(frac=0.15, random_state=seed)
    item0 = tagged["artistID"].to_numpy() - 1
    tag_ids = np.where(
        rng.random(len(tagged)) < 0.8,
        scene_tags[scene[item0], rng.integers(0, 5, len(tagged))],
        rng.integers(0, n_tags, len(tagged)),
    )
    uta = pd.DataFrame(
        {
            "userID": tagged["userID"].to_numpy(),
            "artistID": tagged["artistID"].to_numpy(),
            "tagID": tag_ids + 1,
            "day": 1,
            "month": 1,
            "year": 2010,
        }
    ).drop_duplicates(["userID", "artistID", "tagID"])
    tags = pd.DataFrame({"tagID": np.arange(1, n_tags + 1), "tagValue": tag_names})
    return Catalogue(ua, artists, uta, tags)


def hetrec_zip_bytes(catalogue: Catalogue) -> bytes:
    """The catalogue as a HetRec-layout zip (tab-separated .dat files)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, frame in (
            ("user_artists.dat", catalogue.user_artists),
            ("artists.dat", catalogue.artists),
            ("user_taggedartists.dat", catalogue.user_taggedartists),
            ("tags.dat", catalogue.tags),
        ):
            z.writestr(f"synthetic-music/{name}", frame.to_csv(sep="\t", index=False))
    return buf.getvalue()


def write_hetrec_zip(path: str | Path, **kwargs) -> Path:
    """Generate a catalogue (``generate_catalogue(**kwargs)``) and write it as a zip to ``path``."""
    path = Path(path)
    path.write_bytes(hetrec_zip_bytes(generate_catalogue(**kwargs)))
    return path


def synthetic_dataset(**kwargs):
    """The generated catalogue loaded through the app's own upload path (a Dataset)."""
    from recsys.data.build import BuildOptions, build_dataset
    from recsys.data.loader import inspect_upload

    det = inspect_upload("synthetic-music.zip", hetrec_zip_bytes(generate_catalogue(**kwargs)))
    return build_dataset(det, det.mapping, BuildOptions())


if __name__ == "__main__":
    import sys
    import time

    t = time.perf_counter()
    ds = synthetic_dataset()
    print(
        f"{ds.n_users:,} users × {ds.n_items:,} items, {ds.n_interactions:,} interactions, "
        f"built in {time.perf_counter() - t:.1f} s; items with one user: "
        f"{int((ds.item_popularity == 1).sum()):,}; timestamps: {ds.has_timestamps}; "
        f"tagged items: {int(ds.items['tags'].map(len).gt(0).sum()):,}"
    )
    if len(sys.argv) > 1:
        print(write_hetrec_zip(sys.argv[1]))
