"""Known layouts load with their metadata and no mapping; other files get a guessed mapping."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import inspect_upload, load_path, load_upload
from recsys.data.layouts import ColumnMapping, guess_mapping, split_list
from recsys.data.readers import open_source
from recsys.errors import DataError
from tests.data.conftest import zip_bytes


def test_movielens_latest_folder_with_titles_genres_and_tags(ml_small):
    ds = load_path(ml_small)
    assert ds.report["layout"] == "movielens-latest"
    assert (ds.n_users, ds.n_interactions) == (610, 100836)
    assert ds.feedback == "explicit" and ds.rating_scale == (0.5, 5.0)
    row = ds.items.set_index("item_id").loc["1"]
    assert row["title"] == "Toy Story (1995)"
    assert row["categories"] == ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]
    assert "pixar" in [t.lower() for t in row["tags"]]
    assert len(ds.cold_items) == 9742 - ds.n_items  # movies nobody rated are reported, not lost
    assert any("cold items" in s for s in ds.report["steps"])


def test_movielens_latest_zip(ml_small_zip):
    ds = load_path(ml_small_zip)
    assert ds.report["layout"] == "movielens-latest" and ds.n_interactions == 100836


def test_movielens_100k():
    data = (
        "\n".join(
            f"{u}\t{i}\t{r}\t{881250949 + k}"
            for k, (u, i, r) in enumerate(
                [(1, 1, 5), (1, 2, 3), (2, 1, 4), (2, 3, 1), (3, 2, 2), (3, 3, 5)]
            )
        )
        + "\n"
    )
    flags = lambda on: "|".join("1" if j in on else "0" for j in range(19))  # noqa: E731
    items = (
        f"1|Toy Story (1995)|01-Jan-1995||http://x|{flags({3, 4, 5})}\n"
        f"2|GoldenEye (1995)|01-Jan-1995||http://x|{flags({1, 2, 16})}\n"
        f"3|Cité des enfants perdus, La (1995)|01-Jan-1995||http://x|{flags({8})}\n"
    ).encode("latin-1")
    users = b"1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n"
    ds = load_upload(
        "ml-100k.zip",
        zip_bytes(
            {
                "ml-100k/u.data": data.encode(),
                "ml-100k/u.item": items,
                "ml-100k/u.user": users,
                "ml-100k/u1.base": data.encode(),
            }
        ),
    )
    assert ds.report["layout"] == "movielens-100k"
    assert ds.n_interactions == 6 and ds.feedback == "explicit" and ds.has_timestamps
    by_id = ds.items.set_index("item_id")
    assert by_id.loc["1", "categories"] == ["Animation", "Children's", "Comedy"]
    assert by_id.loc["3", "title"] == "Cité des enfants perdus, La (1995)"
    assert "occupation" in ds.users.columns


def test_movielens_1m():
    ratings = b"1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n2::914::3::978299000\n"
    movies = "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n914::My Fair Lady (1964)::Musical|Romance\n".encode(
        "latin-1"
    )
    users = b"1::F::1::10::48067\n2::M::56::16::70072\n"
    ds = load_upload(
        "ml-1m.zip",
        zip_bytes(
            {"ml-1m/ratings.dat": ratings, "ml-1m/movies.dat": movies, "ml-1m/users.dat": users}
        ),
    )
    assert ds.report["layout"] == "movielens-1m"
    assert ds.n_interactions == 4 and ds.report["separator"] == "::"
    by_id = ds.items.set_index("item_id")
    assert by_id.loc["661", "categories"] == ["Animation", "Children's", "Musical"]
    assert by_id.loc["1193", "title"] == "One Flew Over the Cuckoo's Nest (1975)"


def test_lastfm_hetrec_2011():
    ua = b"userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t228\n3\t53\t100\n"
    artists = b"id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://a\thttp://p\n52\tMorcheeba\thttp://a\thttp://p\n53\tAir\thttp://a\thttp://p\n"
    tags = "tagID\ttagValue\n1\tmetal\n2\tnew wave\n3\télectro\n".encode("latin-1")
    tagged = b"userID\tartistID\ttagID\tday\tmonth\tyear\n2\t51\t2\t1\t4\t2009\n3\t51\t2\t1\t4\t2009\n2\t53\t3\t1\t4\t2009\n2\t999\t1\t1\t4\t2009\n"
    ds = load_upload(
        "hetrec2011-lastfm-2k.zip",
        zip_bytes(
            {
                "user_artists.dat": ua,
                "artists.dat": artists,
                "tags.dat": tags,
                "user_taggedartists.dat": tagged,
            }
        ),
    )
    assert ds.report["layout"] == "lastfm-hetrec-2011"
    assert ds.feedback == "implicit" and ds.rating_scale is None  # play counts
    by_id = ds.items.set_index("item_id")
    assert by_id.loc["51", "title"] == "Duran Duran"
    assert by_id.loc["51", "tags"] == ["new wave"]
    assert by_id.loc["53", "tags"] == ["électro"]
    assert any(
        "1 tag row" in s for s in ds.report["steps"]
    )  # artist 999 is counted, not silently lost


def test_demo_layout_from_the_committed_files():
    from recsys.data.demo import DEMO_DIR, load_demo

    ds = load_path(DEMO_DIR)
    assert ds.report["layout"] == "demo"
    assert "planted_genre" in ds.items.columns and "planted_tastes" in ds.users.columns
    assert ds.fingerprint == load_demo().fingerprint


@pytest.mark.parametrize(
    "columns, expected",
    [
        (
            ["userId", "movieId", "rating", "timestamp"],
            ("userId", "movieId", "rating", "timestamp"),
        ),
        (
            ["customer_id", "product_id", "quantity", "order_date"],
            ("customer_id", "product_id", "quantity", "order_date"),
        ),
        (["visitorid", "itemid", "event", "timestamp"], ("visitorid", "itemid", None, "timestamp")),
        (["Session ID", "SKU", "Score"], ("Session ID", "SKU", "Score", None)),
    ],
)
def test_mapping_guessed_from_names(columns, expected):
    frame = pd.DataFrame([["a", "b", "3", "2024-01-01"][: len(columns)]] * 3, columns=columns)
    if "event" in columns:
        frame["event"] = "view"
    m = guess_mapping(frame)
    assert (m.user, m.item, m.rating, m.timestamp) == expected


def test_mapping_guessed_from_contents_when_names_say_nothing():
    frame = pd.DataFrame(
        {
            "a": ["x1", "x1", "x2", "x3"],
            "b": ["p", "q", "p", "r"],
            "c": ["4", "5", "3", "4"],
            "d": ["1700000000", "1700000100", "1700000200", "1700000300"],
        }
    )
    m = guess_mapping(frame)
    assert (m.user, m.item, m.rating, m.timestamp) == ("a", "b", "c", "d")
    assert m.guessed  # the page says these were guesses


def test_edited_mapping_is_used_and_checked():
    data = b"buyer,thing,stars,other\nb1,t1,5,z\nb1,t2,4,z\nb2,t1,3,y\n"
    det = inspect_upload("x.csv", data)
    from recsys.data.build import build_dataset

    ds = build_dataset(det, ColumnMapping(user="thing", item="buyer"))
    assert set(ds.user_ids.ids) == {"t1", "t2"} and ds.feedback == "implicit"
    with pytest.raises(DataError, match="not in"):
        build_dataset(det, ColumnMapping(user="nope", item="buyer"))
    with pytest.raises(DataError, match="both"):
        build_dataset(det, ColumnMapping(user="buyer", item="buyer"))


def test_split_list():
    assert split_list("Action|Comedy") == ["Action", "Comedy"]
    assert split_list("rock, pop, rock") == ["rock", "pop"]
    assert split_list("(no genres listed)") == []
    assert split_list(None) == []


def test_zip_whose_tables_have_no_ids():
    data = zip_bytes({"a.csv": b"price,weight\n1.5,2.5\n2.5,3.5\n", "b.csv": b"x\n1\n"})
    with pytest.raises(DataError, match="No file in"):
        load_upload("z.zip", data)


def test_source_lists_tables_largest_first():
    src = open_source(
        zip_bytes({"small.csv": b"a,b\n1,2\n", "big.csv": b"a,b\n" + b"1,2\n" * 50}), "z.zip"
    )
    assert [f.basename for f in src.tables()] == ["big.csv", "small.csv"]


def test_known_layout_with_text_in_ratings_still_names_the_line():
    ratings = b"userId,movieId,rating,timestamp\n1,2,5,100\n1,3,bad,100\n2,2,3,101\n"
    with pytest.raises(DataError, match="line 3: 'bad'"):
        load_upload(
            "m.zip",
            zip_bytes({"ratings.csv": ratings, "movies.csv": b"movieId,title,genres\n2,A,B\n"}),
        )
