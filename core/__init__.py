"""The model package: recurrent encoder-decoders with and without attention, trained,
saved, loaded and run with every intermediate value recorded in a Trace.

    from core import list_models, load_model
    model = load_model("dates-attn")
    trace = model.translate("3rd of May 1979")
    lm = load_model("lm-lstm")                    # single RNNs: language models, taggers, classifiers
    run = lm.run("To be, or not to be")           # RNNTrace: every h_t, gate and next-token distribution
"""
from .checkpoint import CHECKPOINT_DIR, CheckpointError, ModelCard, list_models, load_model
from .model import ModelConfig, Seq2Seq
from .rnn import RecurrentModel, RNNConfig, RNNStep, RNNTrace
from .trace import DecoderStep, Hypothesis, Trace

__all__ = ["CHECKPOINT_DIR", "CheckpointError", "DecoderStep", "Hypothesis", "ModelCard", "ModelConfig",
           "RecurrentModel", "RNNConfig", "RNNStep", "RNNTrace", "Seq2Seq", "Trace", "list_models", "load_model"]
