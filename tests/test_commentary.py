from pathlib import Path

from scorecard.commentary import CommentaryStore


def test_latest_commentary_wins_and_history_is_kept(tmp_path: Path) -> None:
    store = CommentaryStore(tmp_path / "state.db")
    assert store.latest("CIC-RATE", "2017-04") is None
    store.save("CIC-RATE", "2017-04", "First draft", author="ana")
    store.save("CIC-RATE", "2017-04", "Rise due to UASC arrivals", author="ben")
    store.save("CIC-RATE", "2017-05", "May note", author="ana")
    latest = store.latest("CIC-RATE", "2017-04")
    assert latest is not None and latest.text == "Rise due to UASC arrivals" and latest.author == "ben"
    assert [c.text for c in store.history("CIC-RATE", "2017-04")] == ["First draft", "Rise due to UASC arrivals"]
    assert set(store.for_period("2017-04")) == {"CIC-RATE"}
    assert store.for_period("2017-04")["CIC-RATE"].text == "Rise due to UASC arrivals"
