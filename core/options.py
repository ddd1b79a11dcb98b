"""The choices a visitor (or a caller) can make, and their ranges, defined once: core validates
with these names and ui builds its widgets and reads links with them.

    CELL_TYPES, SCORE_FUNCTIONS        what a model can be built with
    TEMPERATURE_MIN .. TEMPERATURE_MAX in steps of TEMPERATURE_STEP
                                       the softmax temperature offered: attention's (translate) and
                                       a language model's sampling (generate)
    TRANSLATE_TEMPERATURE_MIN .. _MAX  the widest temperature `translate` accepts (a superset of the
                                       offered range): beyond it softmax(scores / T) is a one-hot or a
                                       flat line in float32 and nothing more is seen
    BEAM_MAX                           beam widths 1 .. BEAM_MAX (1 is greedy)
    GENERATE_MAX                       a language model generates 1 .. GENERATE_MAX tokens
    SEED_MAX                           generation seeds 0 .. SEED_MAX
"""
from __future__ import annotations

CELL_TYPES = ("rnn", "gru", "lstm")
SCORE_FUNCTIONS = ("dot", "general", "additive")

TEMPERATURE_MIN, TEMPERATURE_MAX, TEMPERATURE_STEP = 0.05, 5.0, 0.05
TRANSLATE_TEMPERATURE_MIN, TRANSLATE_TEMPERATURE_MAX = 0.01, 100.0
BEAM_MAX = 10
GENERATE_MAX = 1000
SEED_MAX = 2**31 - 1
