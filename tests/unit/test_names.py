import pytest

from chalicelib.domain.names import fold, matches, name_words, words


def test_fold_removes_case_and_accents():
    assert fold("Söderberg") == "soderberg"
    assert fold("ÅSA Øster Łukasz Straße") == "asa oster lukasz strasse"


def test_words_split_on_punctuation_and_drop_apostrophes():
    assert words("O'Brien-Smith, Jr.") == ["obrien", "smith", "jr"]
    assert words("  ") == []
    assert words("José  josé") == ["jose", "jose"]
    assert name_words("José", "josé") == ["jose"]


def test_name_words_join_first_and_last():
    assert name_words("Anneli", "Söderberg") == ["anneli", "soderberg"]
    assert name_words(None, "Lee") == ["lee"]


@pytest.mark.parametrize("query, name, expected", [
    ("ann", "Ann Lee", True),
    ("ann", "Anneli Söderberg", True),
    ("sod", "Anneli Söderberg", True),
    ("lee an", "Ann Lee", True),
    ("lee an", "Anneli Söderberg", False),
    ("SÖD ANN", "Anneli Söderberg", True),
    ("ann ann", "Ann Lee", False),           # two query words need two name words
    ("an ann", "Ann Annika", True),          # each finds its own word
    ("lee", "Ann Leeroy", True),
    ("x", "Ann Lee", False),
])
def test_each_query_word_starts_a_different_name_word(query, name, expected):
    first, last = name.split(" ", 1)
    assert matches(words(query), name_words(first, last)) is expected
