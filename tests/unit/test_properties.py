"""Property tests: phone normalisation, name words, cursors."""
from __future__ import annotations

import string

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import Invalid
from chalicelib.domain import names
from chalicelib.domain.phones import to_e164
from chalicelib.store import cursor

US_NUMBERS = st.integers(min_value=2002000000, max_value=9899999999).filter(
    lambda n: phonenumbers.is_valid_number(phonenumbers.parse(f"+1{n}")))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(US_NUMBERS, st.sampled_from(["+1 ({a}) {b}-{c}", "{a}-{b}-{c}", "001{a}{b}{c}", "1 {a} {b} {c}",
                                    "({a}) {b} {c}", "011 1 {a} {b}{c}"]))
def test_every_way_of_writing_a_number_gives_the_same_e164(number, pattern):
    digits = str(number)
    written = pattern.format(a=digits[:3], b=digits[3:6], c=digits[6:])
    assert to_e164(written, "US") == f"+1{digits}"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=string.digits + " +-()", max_size=30), st.sampled_from(["US", "FI", "GB", "DE"]))
@example("004900000", "US")  # found by this test: an all-zero number whose E.164 form read back shorter
@example("+4900000", "DE")
def test_normalising_is_idempotent(raw, region):
    e164 = to_e164(raw, region)
    if e164 is not None:
        assert e164.startswith("+") and e164[1:].isdigit()
        assert to_e164(e164, region) == e164
        assert to_e164(e164, "US") == e164  # an E.164 number needs no region


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_name_words_are_folded_and_a_name_matches_its_own_prefixes(text):
    found = names.words(text)
    for word in found:
        assert word == names.fold(word) and word and " " not in word
    distinct = list(dict.fromkeys(found))[: names.MAX_NAME_WORDS]
    assert names.matches([w[:2] for w in distinct], distinct)
    assert names.words(names.fold(text)) == found


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["PK", "SK", "GSI1PK", "GSI1SK"]), st.text(min_size=1, max_size=80),
                       min_size=1), st.text(min_size=1, max_size=40))
def test_cursors_round_trip_and_stay_in_their_listing(key, scope):
    typed = {k: {"S": v} for k, v in key.items()}
    token = cursor.encode(scope, typed)
    assert cursor.decode(scope, token, tuple(key)) == typed  # a listing decodes with its own key names
    if set(key) != {"PK", "SK"}:
        with pytest.raises(Invalid):
            cursor.decode(scope, token)  # ... and refuses a start key of other names
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
