"""The app as it stands: the home page lists every shipped model with its held-out metrics."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import list_models

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_home_page_lists_the_models_and_their_metrics():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Seq2Seq Attention Explorer"
    table = at.dataframe[0].value
    cards = list_models()
    assert list(table["model"]) == [c.name for c in cards]
    for card, shown in zip(cards, table["exact match"]):
        assert shown == f"{100 * card.metrics['exact_match']:.2f}%"
