"""A seeded catalogue shaped like Last.fm HetRec 2011, written in its own file layout.

Shape (the real set: 1,892 users, 17,632 artists, 92,834 user-artist pairs, play counts up to
352,698, user-applied tags, no timestamps on plays, artist names only): each user lists their
~50 most-played artists; artist popularity has a long tail where most artists have one or two
listeners; play counts are heavy-tailed (a few pairs in the hundreds of thousands) and higher for
artists of the listener's own genres and for popular artists; each artist
belongs to one genre (sometimes two) and carries tags users gave it, mostly its genres' tags plus
noise, more tags for popular artists. Files: ``user_artists.dat``, ``artists.dat``,
``user_taggedartists.dat``, ``tags.dat`` (tab-separated), so it loads through the app's real
Last.fm layout detection.

``python -m tests.lastfm_like OUT_DIR`` writes the files; :func:`lastfm_like_dataset` loads them.
"""

from __future__ import annotations

import sys
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

GENRES = [
    "rock",
    "pop",
    "electronic",
    "metal",
    "hip-hop",
    "jazz",
    "indie",
    "folk",
    "classical",
    "punk",
    "soul",
    "reggae",
    "country",
    "ambient",
    "blues",
    "k-pop",
    "latin",
    "industrial",
]
NOISE_TAGS = ["favorites", "seen live", "awesome", "80s", "90s", "00s", "female vocalists", "love"]
_SYLLABLES = "ka lo mi ra ven tor sil bex dra quo nia zel fen gur ost pah lum ric sav tek".split()


def generate(
    out: Path,
    n_users: int = 1892,
    n_items: int = 17632,
    per_user: int = 50,
    seed: int = 0,
) -> Path:
    """Write the four HetRec files into ``out`` (created) and return it."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n_genres = len(GENRES)
    genre = rng.integers(n_genres, size=n_items)
    second = np.where(rng.random(n_items) < 0.25, rng.integers(n_genres, size=n_items), -1)
    # Zipf-like appeal: a few stars, a very long tail (steep enough that most artists get 1-2
    # listeners out of ~95k picks, as on Last.fm)
    appeal = 1.0 / (np.arange(1, n_items + 1) + 15.0) ** 1.15
    appeal = appeal[rng.permutation(n_items)]
    by_genre = [np.flatnonzero((genre == g) | (second == g)) for g in range(n_genres)]
    probs = [appeal[pool] / appeal[pool].sum() for pool in by_genre]
    everything = appeal / appeal.sum()
    users, items = [], []
    taste = np.zeros((n_users, n_genres), dtype=bool)
    for u in range(n_users):
        tastes = rng.choice(n_genres, size=int(rng.integers(1, 4)), replace=False)
        taste[u, tastes] = True
        k = int(min(per_user, max(5, rng.normal(per_user, 3))))
        draws = [rng.choice(n_items, size=2 * k, p=everything)]
        for g in tastes:
            draws.append(rng.choice(by_genre[g], size=2 * k, p=probs[g]))
        pool = np.concatenate(draws)
        from_taste = rng.random(len(pool)) < 0.85
        pool = np.concatenate([pool[2 * k :][from_taste[2 * k :]], pool[: 2 * k]])
        rng.shuffle(pool)
        _, first = np.unique(pool, return_index=True)
        picks = pool[np.sort(first)][:k]
        users.append(np.full(len(picks), u))
        items.append(picks)
    user_of = np.concatenate(users)
    item_of = np.concatenate(items)
    # every artist of the file has a listener (as on Last.fm): the unheard go to random users
    unheard = np.setdiff1d(np.arange(n_items), item_of)
    user_of = np.concatenate([user_of, rng.integers(n_users, size=len(unheard))])
    item_of = np.concatenate([item_of, unheard])
    scale = rng.lognormal(5.0, 1.0, size=n_users)  # how much each user listens overall
    plays = scale[user_of] * rng.lognormal(0.0, 1.2, size=len(user_of))
    plays *= 1.0 + 20.0 * appeal[item_of] / appeal.max()  # stars are played more
    # and so are the artists of one's own genres (counts carry taste, as real listening does)
    liked = taste[user_of, genre[item_of]] | (
        (second[item_of] >= 0) & taste[user_of, second[item_of]]
    )
    plays *= np.where(liked, 4.0, 1.0)
    uid = user_of + 2  # HetRec ids start at 2
    iid = item_of + 1
    plays = np.clip(plays, 1, 400_000).astype(np.int64)
    (out / "user_artists.dat").write_text(
        "userID\tartistID\tweight\n"
        + "".join(f"{u}\t{i}\t{w}\n" for u, i, w in zip(uid, iid, plays, strict=True)),
        encoding="utf-8",
    )
    names = []
    for i in range(n_items):
        n_syl = int(rng.integers(2, 4))
        word = "".join(rng.choice(_SYLLABLES, size=n_syl)).capitalize()
        names.append(f"{word} {i + 1}" if rng.random() < 0.5 else f"The {word}s {i + 1}")
    (out / "artists.dat").write_text(
        "id\tname\turl\tpictureURL\n"
        + "".join(
            f"{i + 1}\t{name}\thttp://www.last.fm/music/{i + 1}\t\n" for i, name in enumerate(names)
        ),
        encoding="utf-8",
    )
    tag_names = GENRES + NOISE_TAGS
    (out / "tags.dat").write_text(
        "tagID\ttagValue\n" + "".join(f"{t + 1}\t{name}\n" for t, name in enumerate(tag_names)),
        encoding="utf-8",
    )
    listeners = np.bincount(iid - 1, minlength=n_items)
    tag_rows = []
    for i in range(n_items):
        n_tags = int(rng.poisson(0.6 + 1.5 * np.log1p(listeners[i])))
        for _ in range(n_tags):
            r = rng.random()
            if r < 0.6:
                t = int(genre[i])
            elif r < 0.75 and second[i] >= 0:
                t = int(second[i])
            elif r < 0.9:
                t = n_genres + int(rng.integers(len(NOISE_TAGS)))
            else:
                t = int(rng.integers(n_genres))
            tag_rows.append((int(rng.integers(2, n_users + 2)), i + 1, t + 1))
    (out / "user_taggedartists.dat").write_text(
        "userID\tartistID\ttagID\tday\tmonth\tyear\n"
        + "".join(f"{u}\t{i}\t{t}\t1\t1\t2009\n" for u, i, t in tag_rows),
        encoding="utf-8",
    )
    np.savetxt(out / "planted_genres.txt", genre, fmt="%d")  # ground truth for benchmarks
    return out


@cache
def lastfm_like_dataset(seed: int = 0, **shape):
    """The generated catalogue loaded through the app's loader (cached per process)."""
    from recsys.data import load_path

    folder = Path(tempfile.mkdtemp(prefix="lastfm-like-"))
    generate(folder, seed=seed, **shape)
    return load_path(folder)


if __name__ == "__main__":
    print(generate(Path(sys.argv[1] if len(sys.argv) > 1 else "lastfm-like")))
