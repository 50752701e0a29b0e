"""Finding items by title (recsys.data.titles)."""

from recsys.data.titles import find_titles

TITLES = ["The Beatles", "Beat It", "beatnik blues", "Heartbeat", "Alien", "Aliens (1986)"]


def test_find_titles_is_case_insensitive_substring_shortest_first():
    assert find_titles(TITLES, "BEAT").tolist() == [1, 3, 0, 2]
    assert find_titles(TITLES, "alien").tolist() == [4, 5]
    assert find_titles(TITLES, "beat", limit=2).tolist() == [1, 3]


def test_find_titles_blank_or_missing_finds_nothing():
    assert find_titles(TITLES, "   ").tolist() == []
    assert find_titles(TITLES, "").tolist() == []
    assert find_titles(TITLES, "zebra").tolist() == []
