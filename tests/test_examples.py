"""The example inputs every card offers work on the attention models (the first thing a user clicks)."""
import pytest

from conftest import shipped

DATES = {"3rd of May 1979": "1979-05-03", "Perşembe, 3 Mayıs 1979": "1979-05-03",
         "Samstag, 24. Dezember 2016": "2016-12-24", "le 14 juillet 1989": "1989-07-14",
         "12/25/2015": "2015-12-25", "Thursday, the 3rd of May 1979": "1979-05-03", "29 Ekim 1923": "1923-10-29",
         "am 9. Nov. 1989": "1989-11-09", "le 1er janvier 2000": "2000-01-01", "Sept. 11, 2001": "2001-09-11",
         "03.10.1990": "1990-10-03", "31 Aralık 1999 Cuma": "1999-12-31"}
NUMBERS = {"siebenundneunzig": "97", "quatre-vingt-dix-sept": "97", "yirmi bir": "21",
           "nine hundred and ninety-nine thousand": "999000", "deux cent mille trois cent quarante et un": "200341",
           "dreihunderteinundzwanzigtausendvierhundertzwölf": "321412", "bin dokuz yüz seksen dört": "1984",
           "Twenty-one thousand and seven": "21007", "soixante et onze": "71", "zweitausend dreihundert": "2300",
           "iki yüz bin": "200000", "quatre-vingt mille": "80000"}


@pytest.mark.parametrize("name,expected", [("dates-attn", DATES), ("numbers-attn", NUMBERS)])
def test_card_examples_translate_correctly(name, expected):
    model = shipped(name)
    assert set(model.card.examples) == set(expected)
    assert {text: model.translate(text).output for text in expected} == expected


def test_reverse_examples_are_reversed():
    model = shipped("reverse-attn")
    for text in model.card.examples:
        assert model.translate(text).output == text.lower().replace(" ", "")[::-1]
