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


def test_a_name_s_entries_pair_triple_and_key_its_words_by_their_beginnings():
    from chalicelib.domain.names import beginning_pairs, is_long, triples

    name = name_words("Maria Jose", "Li")
    assert beginning_pairs(name) == [("maria", "jose"), ("jose", "maria"), ("li", "maria"), ("li", "jose")]
    assert triples(name) == [("jose", "maria", "li"), ("jose", "li", "maria"), ("li", "maria", "jose")]
    assert not is_long(name) and is_long(name_words("Maria de los Angeles", "Garcia"))


def test_a_search_plan_takes_two_finished_words_whole_and_the_rest_as_beginnings():
    from chalicelib.domain.names import first_beginning, first_triple, pair_plan

    plan = pair_plan(words("maria jose gar"))
    assert (plan.word, plan.other, plan.triple, plan.third) == ("maria", "jose", ("jose", "maria"), "gar")
    assert first_triple(plan, name_words("Maria Jose", "Garcia")) == "garcia"
    assert first_triple(plan, name_words("Maria Josefa", "Garcia")) is None  # "jose" only begins a word
    two = pair_plan(words("mar gar"))
    assert two.triple is None and two.keyed
    assert first_beginning(two, name_words("Marta", "Garrido")) == ("marta", "garrido")
    assert first_beginning(two, name_words("Mar", "Garrido")) is None  # "mar" whole: the pairs find it
    assert not pair_plan(words("maria g")).keyed  # one letter cannot pick its entries' key
