"""Training films (core.film): recorded without changing the training, stored compactly, checked
against the shipped weights, flatter at the start than at the end, and drawn exactly as stored."""
import gzip
import hashlib
import json
import shutil

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import CHECKPOINT_DIR, CheckpointError, list_models, load_model
from core.film import (FILM_SUFFIX, MAX_FILM_BYTES, SCALE, FilmRecorder, available_films, film_path, film_points,
                       load_film, save_film)
from core.train import train
from ui.film_charts import film_figure, half_sentence
from ui.labels import plot_text

from conftest import ROOT
from figures import array, frame_trace, named

ATTENTION_MODELS = sorted(c.name for c in list_models() if c.kind == "seq2seq" and c.attention)


def test_film_points_run_from_the_untrained_model_to_the_last_step_denser_early():
    points = film_points(6000)
    assert points[0] == 0 and points[-1] == 6000
    assert points == sorted(set(points)) and 50 <= len(points) <= 61
    early = [p for p in points if p <= 600]  # the first tenth of training gets most of the frames
    assert len(early) > len(points) / 2
    assert film_points(3) == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        film_points(0)


@pytest.fixture(scope="module")
def short_runs(tmp_path_factory):
    """The same short training run twice, once recording a film."""
    out = {}
    for film in (False, True):
        directory = tmp_path_factory.mktemp("film" if film else "plain")
        train("reverse", "dot", steps=24, progress=False, out_dir=directory, film=film,
              sizes={"train": 2000, "valid": 100, "test": 100})
        out[film] = directory
    return out


def test_recording_a_film_leaves_the_training_unchanged(short_runs):
    plain = (short_runs[False] / "reverse-attn.safetensors").read_bytes()
    filmed = (short_runs[True] / "reverse-attn.safetensors").read_bytes()
    assert hashlib.sha256(plain).digest() == hashlib.sha256(filmed).digest()
    assert not film_path("reverse-attn", short_runs[False]).exists()


def test_a_recorded_film_names_its_final_weights_and_round_trips(short_runs):
    film = load_film("reverse-attn", short_runs[True])
    weights = (short_runs[True] / "reverse-attn.safetensors").read_bytes()
    assert film.final_weights_sha256 == hashlib.sha256(weights).hexdigest()
    assert film.steps == film_points(24)
    assert film.points[0].loss is not None and all(p.loss is not None for p in film.points)
    assert film.metric_name == "exact match (%)" and film.metric_inputs == 100
    for index, point in enumerate(film.points):
        for probe, frame in enumerate(point.probes):
            w = film.weights(index, probe)
            assert w.shape == (len(frame.out_tokens), len(film.probe_tokens[probe]))
            assert np.allclose(w.sum(axis=1), 1, atol=len(film.probe_tokens[probe]) / SCALE)
    copy = short_runs[True] / "copy"
    save_film(film, copy)
    assert load_film("reverse-attn", copy) == film


def test_a_film_point_holds_exactly_what_the_model_computed_then():
    model = load_model("reverse-attn")
    recorder = FilmRecorder(model, ["attention", "xyz"], lambda: 12.5, "exact match (%)", 7, steps=10)
    recorder.loss(2.0)
    recorder.record(0)
    for probe, text in enumerate(["attention", "xyz"]):
        trace = model.translate(text)
        frame = recorder.film.points[0].probes[probe]
        assert frame.out_tokens == trace.out_tokens and frame.output == trace.output
        expected = np.round(trace.attention.astype(np.float64) * SCALE)
        assert np.array_equal(np.asarray(frame.weights), expected)
    assert recorder.film.points[0].metric == 12.5 and recorder.film.points[0].loss == 2.0


def test_every_shipped_attention_model_has_its_film_of_exactly_its_weights():
    assert ATTENTION_MODELS, "no attention models in checkpoints/"
    assert set(ATTENTION_MODELS) <= set(available_films())
    total = 0
    for name in available_films():
        film = load_film(name)
        weights = (CHECKPOINT_DIR / f"{name}.safetensors").read_bytes()
        assert film.final_weights_sha256 == hashlib.sha256(weights).hexdigest(), name
        assert 50 <= len(film.points) <= 61 and film.steps[0] == 0
        total += film_path(name).stat().st_size
    assert total < 8 * 2**20  # all films together stay a few MB


@pytest.mark.parametrize("name", ATTENTION_MODELS)
def test_attention_starts_flat_and_ends_sharp(name):
    """The bar: the first frame's weights are measurably flatter than the last frame's. Measurably:
    the mean entropy falls by more than 0.1 nats and by more than three times its own spread over
    the film's last five points (how much it still moves from point to point once trained)."""
    film = load_film(name)
    count = len(film.points)
    first, last = film.mean_entropy(0), film.mean_entropy(count - 1)
    spread = float(np.std([film.mean_entropy(point) for point in range(count - 5, count)]))
    assert first - last > max(0.1, 3 * spread), (first, last, spread)
    assert film.points[-1].metric > film.points[0].metric


def test_a_plain_models_film_has_outputs_and_loss_only():
    plain = [n for n in available_films() if n.endswith("-noattn")]
    assert plain, "no film of a plain model"
    for name in plain:
        film = load_film(name)
        assert all(frame.weights is None for point in film.points for frame in point.probes)
        with pytest.raises(ValueError):
            film.mean_entropy(0)
        assert "no attention" in half_sentence(film)


def test_the_film_figure_draws_every_point_as_stored():
    name = "reverse-attn"
    film = load_film(name)
    probe = 1
    fig = film_figure(film, probe).to_dict()
    frames = fig["frames"]
    assert len(frames) == len(film.points)
    slider = fig["layout"]["sliders"][0]["steps"]
    assert [s["args"][0][0] for s in slider] == [f["name"] for f in frames]
    for index, frame in enumerate(frames):
        heat = frame_trace(fig, frame, "alignment matrix")
        assert np.allclose(array(heat["z"]), film.weights(index, probe), atol=1e-6)
        assert frame_trace(fig, frame, "now (metric)")["y"] == [film.points[index].metric]
        assert plot_text(film.points[index].probes[probe].output[:20] or "∅") in frame["layout"]["title"]["text"]
    assert np.allclose(array(named(fig, "alignment matrix")["z"]), film.weights(0, probe), atol=1e-6)  # opens on step 0
    assert "half its final value" in half_sentence(film)


def _damaged(tmp_path, change) -> None:
    shutil.copyfile(film_path("reverse-attn"), tmp_path / f"reverse-attn{FILM_SUFFIX}")
    change(tmp_path / f"reverse-attn{FILM_SUFFIX}")


@pytest.mark.parametrize("change", [
    lambda p: p.write_bytes(p.read_bytes()[:200]),  # truncated
    lambda p: p.write_bytes(b"not gzip"),
    lambda p: p.write_bytes(gzip.compress(b"{\"model\": 1}")),  # JSON, not a film
    lambda p: p.write_bytes(gzip.compress(json.dumps(
        {**json.loads(gzip.decompress(film_path("reverse-attn").read_bytes())),
         "probe_tokens": [["a"]] * 4}).encode())),  # weights that do not fit the probes
    lambda p: p.write_bytes(b"\0" * (MAX_FILM_BYTES + 1)),
])
def test_a_damaged_film_is_a_clear_checkpoint_error(tmp_path, change):
    _damaged(tmp_path, change)
    with pytest.raises(CheckpointError, match="reverse-attn.film.json.gz"):
        load_film("reverse-attn", tmp_path)


def _training_page(query=None, env_dir=None, monkeypatch=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/training.py")
    at.query_params.update(query or {})
    return at.run()


def test_the_training_page_plays_a_film_and_follows_its_link():
    at = _training_page({"model": "reverse-attn", "probe": "2"})
    assert not at.exception
    assert at.selectbox[0].value == "reverse-attn" and at.radio[0].value == 2
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(spec["frames"]) == len(load_film("reverse-attn").points)
    assert any("half its final value" in m.value for m in at.markdown)


@pytest.mark.parametrize("query", [{"model": "<script>alert(1)</script>"}, {"probe": "99"}, {"probe": "-1"},
                                   {"model": "dates-noattn", "probe": "x"}])
def test_the_training_page_survives_garbage_links(query):
    at = _training_page(query)
    assert not at.exception
    assert at.get("plotly_chart")
    assert "<script" not in " ".join(i.value for i in at.info)


def test_the_plain_twins_held_out_curve_is_drawn_beside():
    film, twin = load_film("reverse-attn"), load_film("reverse-noattn")
    fig = film_figure(film, 0, twin).to_dict()
    drawn = named(fig, "reverse-noattn (without attention)")
    assert list(array(drawn["y"])) == [p.metric for p in twin.points]
    assert list(array(drawn["customdata"])) == twin.steps
    # the final held-out scores tell the story the lecture tells: attention ends far ahead on reverse
    assert film.points[-1].metric > twin.points[-1].metric + 30
