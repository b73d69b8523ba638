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
    ("07400 123456", "GB", "+447400123456"),
    ("\u202d+1 415 555 0100\u202c", "US", "+14155550100"),  # direction marks pasted along
    ("415\u200b555\u200b0100", "US", "+14155550100"),
    ("+44 20 7946 0018", "FI", "+442079460018"),
    ("030 123456", "DE", "+4930123456"),
    ("tel:+14155550100", "US", "+14155550100"),
    ("+1 415 555 0100 ext. 12", "US", "+14155550100"),
])
def test_every_format_gives_one_e164(raw, region, expected):
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize("raw", ["", "   ", "abc", "12", "+", "555", "1" * 80, "anonymous",
                                 "040 123 2040", "+1 040 123 4567", "07700 900123"])
def test_what_is_not_a_valid_phone_number_is_refused(raw):
    """Possible is not enough: a Finnish mobile read with region US, or a
    reserved drama number, can never ring."""
    assert to_e164(raw, "US") is None
