"""A seeded generator of a fictional catalogue with planted structure, and its loader.

About 1,500 items in 12 genres with made-up titles, about 2,000 users whose tastes mix 1-3
genres, a long-tail popularity curve, timestamps over two years, and 1-5 ratings that are higher
for liked genres. The planted genre of each item and each user's tastes are written alongside,
so pages can show how well a model recovers them.

Run ``python -m recsys.data.demo`` (or ``make demo-data``) to (re)write the committed files in
``recsys/data/demo_data/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data.dataset import FEEDBACK_EXPLICIT, Dataset

#: shipped inside the package (package data), so an installed wheel has the demo too
DEMO_DIR = Path(__file__).resolve().parent / "demo_data"

GENRES: dict[str, tuple[list[str], list[str]]] = {
    # genre: (adjectives, nouns) used to make titles
    "Space Opera": (["Stellar", "Galactic", "Orbital", "Nebula", "Void"], ["Fleet", "Empire", "Voyager", "Station", "Comet", "Armada"]),
    "Detective": (["Silent", "Crooked", "Midnight", "Hidden", "Cold"], ["Alibi", "Witness", "Case", "Clue", "Suspect", "Verdict"]),
    "Romance": (["Sweet", "Endless", "Summer", "Tender", "Secret"], ["Kiss", "Letters", "Heart", "Wedding", "Promise", "Embrace"]),
    "Horror": (["Bleeding", "Hollow", "Cursed", "Grim", "Rotten"], ["Crypt", "Shadows", "Asylum", "Scream", "Coffin", "Haunting"]),
    "Animation": (["Tiny", "Bouncy", "Magic", "Happy", "Little"], ["Puppy", "Dragon", "Robot", "Bunny", "Kingdom", "Balloon"]),
    "Western": (["Dusty", "Lone", "Iron", "Wild", "Outlaw"], ["Saddle", "Canyon", "Sheriff", "Rider", "Frontier", "Gulch"]),
    "Documentary": (["True", "Hidden", "Deep", "Real", "Untold"], ["Oceans", "Earth", "History", "Lives", "Planet", "Story"]),
    "Musical": (["Golden", "Dancing", "Singing", "Broadway", "Jazz"], ["Melody", "Rhythm", "Chorus", "Stage", "Tune", "Ballad"]),
    "War": (["Fallen", "Brave", "Steel", "Last", "Burning"], ["Battalion", "Trenches", "Front", "Soldier", "Siege", "Valor"]),
    "Comedy": (["Crazy", "Silly", "Awkward", "Lucky", "Goofy"], ["Roommates", "Holiday", "Neighbors", "Road Trip", "Mix-Up", "Party"]),
    "Fantasy": (["Enchanted", "Ancient", "Elven", "Mystic", "Forgotten"], ["Sword", "Realm", "Wizard", "Throne", "Quest", "Oracle"]),
    "Cyberpunk": (["Neon", "Chrome", "Digital", "Synthetic", "Glitch"], ["City", "Hacker", "Circuit", "Implant", "Grid", "Protocol"]),
}
SEQUELS = ["", "", "", "", " II", " III", ": Reloaded", ": Origins", " Returns"]
TAGS: dict[str, list[str]] = {g: [w.lower() for w in adj[:3]] for g, (adj, _) in GENRES.items()}

START = pd.Timestamp("2024-01-01").value // 10**9
END = pd.Timestamp("2025-12-31").value // 10**9


def generate(
    n_items: int = 1500, n_users: int = 2000, mean_activity: int = 40, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generate (ratings, items, users) frames with planted genres and tastes."""
    rng = np.random.default_rng(seed)
    names = list(GENRES)
    n_genres = len(names)

    # items: a planted genre, a made-up unique title, sometimes a second category
    genre_of = rng.integers(0, n_genres, n_items)
    titles, seen = [], set()
    for g in genre_of:
        adj, nouns = GENRES[names[g]]
        while True:
            t = f"The {rng.choice(adj)} {rng.choice(nouns)}{rng.choice(SEQUELS)}"
            if t in seen:
                t = f"{t} ({int(rng.integers(1970, 2026))})"
            if t not in seen:
                break
        seen.add(t)
        titles.append(t)
    second = np.where(rng.random(n_items) < 0.2, rng.integers(0, n_genres, n_items), -1)
    categories = [
        "|".join(dict.fromkeys([names[g]] + ([names[s]] if s >= 0 else [])))
        for g, s in zip(genre_of, second, strict=True)
    ]
    tags = ["|".join(rng.choice(TAGS[names[g]], size=2, replace=False)) for g in genre_of]
    # long tail: Zipf-like popularity over a random order of items
    popularity = 1.0 / (1.0 + rng.permutation(n_items)) ** 0.9
    release = rng.integers(START - 86400 * 365, END - 86400 * 30, n_items)
    items = pd.DataFrame(
        {
            "item_id": [f"m{i:04d}" for i in range(n_items)],
            "title": titles,
            "genres": categories,
            "tags": tags,
            "planted_genre": [names[g] for g in genre_of],
        }
    )

    # users: tastes over 1-3 genres
    rows = []
    user_tastes = []
    for u in range(n_users):
        k = int(rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]))
        liked = rng.choice(n_genres, size=k, replace=False)
        w = rng.dirichlet(np.ones(k) * 2.0)
        taste = np.full(n_genres, 0.02)
        taste[liked] += w
        taste /= taste.sum()
        user_tastes.append("|".join(f"{names[g]}:{x:.2f}" for g, x in zip(liked, w, strict=True)))
        n = int(np.clip(rng.lognormal(np.log(mean_activity) - 0.3, 0.8), 5, 400))
        p = taste[genre_of] * popularity
        p /= p.sum()
        chosen = rng.choice(n_items, size=min(n, n_items), replace=False, p=p)
        liked_mask = np.isin(genre_of[chosen], liked)
        mean = np.where(liked_mask, 4.1, 2.5)
        rating = np.clip(np.round(rng.normal(mean, 0.8)), 1, 5).astype(int)
        first = rng.integers(START, END - 86400 * 60)
        ts = np.maximum(
            rng.integers(first, END, len(chosen)), release[chosen]
        ).clip(START, END)
        rows.append(pd.DataFrame({"user_id": f"u{u:04d}", "item_id": items["item_id"].to_numpy()[chosen], "rating": rating, "timestamp": ts}))
    ratings = pd.concat(rows, ignore_index=True).sort_values(["user_id", "timestamp"], kind="stable")
    users = pd.DataFrame({"user_id": [f"u{u:04d}" for u in range(n_users)], "planted_tastes": user_tastes})
    # every catalogue item should have been seen at least once; drop the rare unseen ones
    items = items[items["item_id"].isin(set(ratings["item_id"]))].reset_index(drop=True)
    return ratings.reset_index(drop=True), items, users


def write(directory: str | Path, **kwargs: int) -> Path:
    """Generate the demo and write ``ratings.csv``, ``items.csv``, ``users.csv``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ratings, items, users = generate(**kwargs)
    ratings.to_csv(directory / "ratings.csv", index=False)
    items.to_csv(directory / "items.csv", index=False)
    users.to_csv(directory / "users.csv", index=False)
    return directory


def load_demo(directory: str | Path = DEMO_DIR) -> Dataset:
    """Load the committed demo files as an explicit-rating Dataset with planted truth."""
    directory = Path(directory)
    ratings = pd.read_csv(directory / "ratings.csv", dtype={"user_id": str, "item_id": str})
    items = pd.read_csv(directory / "items.csv", dtype=str, keep_default_na=False)
    users = pd.read_csv(directory / "users.csv", dtype=str, keep_default_na=False)
    frame = pd.DataFrame(
        {
            "user": ratings["user_id"],
            "item": ratings["item_id"],
            "value": ratings["rating"].astype("float32"),
            "timestamp": ratings["timestamp"].astype("int64"),
        }
    )
    meta = pd.DataFrame(
        {
            "item": items["item_id"],
            "title": items["title"],
            "categories": [g.split("|") if g else [] for g in items["genres"]],
            "tags": [t.split("|") if t else [] for t in items["tags"]],
            "planted_genre": items["planted_genre"],
        }
    )
    users = users.rename(columns={"user_id": "user"})
    return Dataset.from_frame(
        frame,
        name="Demo catalogue (fictional, planted genres)",
        items=meta,
        users=users,
        feedback=FEEDBACK_EXPLICIT,
        rating_scale=(1.0, 5.0),
        report={"layout": "demo", "source": str(directory)},
    )


if __name__ == "__main__":  # pragma: no cover
    out = write(sys.argv[1] if len(sys.argv) > 1 else DEMO_DIR)
    print(f"wrote demo data to {out}")
