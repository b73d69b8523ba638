import pytest

from chalicelib.domain.phones import to_e164


@pytest.mark.parametrize("raw, region, expected", [
    ("+1 (415) 555-0100", "US", "+14155550100"),
    ("415-555-0100", "US", "+14155550100"),
    ("(415) 555 0100", "US", "+14155550100"),
    ("0014155550100", "US", "+14155550100"),   # ITU 00 prefix even where 011 is local
    ("01114155550100", "US", "+14155550100"),  # North American international prefix
    ("0014155550100", "FI", "+14155550100"),
    ("040 123 4567", "FI", "+358401234567"),
    ("+358 40 123 4567", "US", "+358401234567"),
    ("00358401234567", "US", "+358401234567"),
    ("07700 900123", "GB", "+447700900123"),
    ("+44 20 7946 0018", "FI", "+442079460018"),
    ("030 123456", "DE", "+4930123456"),
    ("tel:+14155550100", "US", "+14155550100"),
    ("+1 415 555 0100 ext. 12", "US", "+14155550100"),
])
def test_every_format_gives_one_e164(raw, region, expected):
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize("raw", ["", "   ", "abc", "12", "+", "555", "1" * 80, "anonymous"])
def test_what_is_not_a_phone_number_is_refused(raw):
    assert to_e164(raw, "US") is None
