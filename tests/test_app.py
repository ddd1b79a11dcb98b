"""The home page lists every shipped model with its held-out metrics and links the lecture path."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import list_models

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_home_page_lists_the_models_and_their_metrics():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Seq2Seq Attention Explorer"
    table = at.dataframe[0].value
    cards = [c for c in list_models() if c.kind == "seq2seq"]
    assert list(table["model"]) == [c.name for c in cards]
    for card, shown in zip(cards, table["exact match"]):
        assert shown == f"{100 * card.metrics['exact_match']:.2f}%"
    recurrent = [c for c in list_models() if c.kind != "seq2seq"]
    if recurrent:
        second = at.dataframe[1].value
        assert list(second["model"]) == [c.name for c in recurrent]
        for card, shown in zip(recurrent, second["held-out"]):
            key = "bpc" if card.kind == "lm" else "token_f1" if card.kind == "tagger" else "accuracy"
            value = card.metrics[key]
            assert (f"{value:.2f}" if key == "bpc" else f"{100 * value:.1f}%") in shown


def test_home_page_links_every_page_of_the_lecture_path():
    at = AppTest.from_file(APP, default_timeout=60).run()
    links = [element.proto.page for element in at.get("page_link")]
    assert links == ["rnn", "architectures", "encoder-decoder", "attention", "compare"]  # the URL paths
