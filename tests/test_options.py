"""core.options: the choices and ranges defined once, and core validating with them."""
import math

import pytest

from conftest import shipped
from core import options
from core.attention import SCORE_FUNCTIONS
from core.recurrent import CELL_TYPES


def test_ranges_are_consistent():
    assert 0 < options.TRANSLATE_TEMPERATURE_MIN <= options.TEMPERATURE_MIN < 1 < options.TEMPERATURE_MAX \
        <= options.TRANSLATE_TEMPERATURE_MAX
    steps = (options.TEMPERATURE_MAX - options.TEMPERATURE_MIN) / options.TEMPERATURE_STEP
    assert math.isclose(steps, round(steps), abs_tol=1e-9)  # the slider's steps end on its maximum
    assert math.isclose((1 - options.TEMPERATURE_MIN) / options.TEMPERATURE_STEP,
                        round((1 - options.TEMPERATURE_MIN) / options.TEMPERATURE_STEP), abs_tol=1e-9)  # T = 1 is a step
    assert options.BEAM_MAX >= 2 and options.GENERATE_MAX >= 1
    assert CELL_TYPES is options.CELL_TYPES and SCORE_FUNCTIONS is options.SCORE_FUNCTIONS


def test_translate_accepts_its_range_and_refuses_beyond_it():
    model = shipped("reverse-attn")
    for temperature in (options.TRANSLATE_TEMPERATURE_MIN, options.TEMPERATURE_MIN, options.TEMPERATURE_MAX,
                        options.TRANSLATE_TEMPERATURE_MAX):
        assert model.translate("abc", temperature=temperature).temperature == temperature
    for temperature in (options.TRANSLATE_TEMPERATURE_MIN / 2, options.TRANSLATE_TEMPERATURE_MAX * 2):
        with pytest.raises(ValueError, match="temperature"):
            model.translate("abc", temperature=temperature)
    assert len(model.translate("abc", beam=options.BEAM_MAX).beam) >= 1
    with pytest.raises(ValueError, match=f"from 1 to {options.BEAM_MAX}"):
        model.translate("abc", beam=options.BEAM_MAX + 1)


def test_generate_accepts_the_offered_range_and_refuses_beyond_it():
    model = shipped("lm-gru")
    for temperature in (options.TEMPERATURE_MIN, options.TEMPERATURE_MAX):
        assert model.generate("To be", length=3, temperature=temperature, seed=options.SEED_MAX).temperature == temperature
    for bad in (dict(temperature=options.TEMPERATURE_MIN / 2), dict(temperature=options.TEMPERATURE_MAX * 1.01),
                dict(length=options.GENERATE_MAX + 1), dict(seed=options.SEED_MAX + 1)):
        with pytest.raises(ValueError):
            model.generate("To be", **{"length": 3, **bad})
