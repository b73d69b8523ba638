import pytest

from chalicelib.core.errors import Invalid
from chalicelib.store import cursor

KEY = {"PK": {"S": "CONTACT#A"}, "SK": {"S": "CONTACT"}}


def test_round_trip():
    token = cursor.encode("list", KEY)
    assert cursor.decode("list", token) == KEY


def test_end_of_listing_has_no_cursor():
    assert cursor.encode("list", None) is None
    assert cursor.decode("list", None) is None


@pytest.mark.parametrize("bad", ["x", "!!!", "eyJzIjoibGlzdCJ9", "a" * 40])
def test_garbage_is_refused(bad):
    with pytest.raises(Invalid, match="cursor"):
        cursor.decode("list", bad)


def test_a_cursor_only_works_for_its_own_listing():
    token = cursor.encode("name:ann", KEY)
    with pytest.raises(Invalid):
        cursor.decode("list", token)


def test_a_tampered_cursor_is_refused():
    token = cursor.encode("list", KEY)
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    with pytest.raises(Invalid):
        cursor.decode("list", flipped)
