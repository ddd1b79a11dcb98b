import functools
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)

from core import list_models, load_model  # noqa: E402

SHIPPED = [card.name for card in list_models() if card.kind == "seq2seq"]  # encoder-decoders
RECURRENT = [card.name for card in list_models() if card.kind != "seq2seq"]  # single RNNs (core.rnn)


@functools.lru_cache(maxsize=None)
def shipped(name: str):
    return load_model(name)


@pytest.fixture(params=SHIPPED)
def model(request):
    return shipped(request.param)


def example_inputs(model, count: int = 3) -> list[str]:
    return list(model.card.examples[:count])
