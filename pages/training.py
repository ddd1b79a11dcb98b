"""Watch attention learn: the training film of each attention model (its alignment on a probe input
at about sixty points of training, beside the loss and held-out curves), and a small model trained
live in the browser."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import cache, film_charts, live, present, viewport, widgets
from ui.labels import markdown_text
from ui.state import Param

PAGE = "training"
names = cache.get_film_names()
st.title("Watch attention learn")
shell.done_loading()
st.markdown("Watch where a model learns to look while its loss falls: its attention on one input at about sixty "
            "points of its training. Press ▶ Play, or drag the slider through training.")
with st.expander("How the films were recorded"):
    st.markdown("Each film was recorded while a shipped model trained (`python -m core.train ... --film`): at about "
                "sixty points, more of them early where things change fastest, the model translated a few fixed probe "
                "inputs (the first examples of its card) with the weights of that moment, and its attention weights, "
                "its output, the mean training loss since the point before and its score on held-out validation "
                "inputs were kept. A film is checked against the shipped weights: the run that recorded it ended "
                "with exactly the weights in checkpoints/.")
if not names:
    st.info("No training films are in checkpoints/. Record one with "
            "`python -m core.train --task reverse --attention dot --film`.")
else:
    default = "reverse-attn" if "reverse-attn" in names else names[0]
    SPEC = [Param("model", "choice", default, options=tuple(names), label="model"),
            Param("probe", "int", 1, lo=1, hi=film_charts.PROBES, label="probe")]
    page_state = widgets.PageState(PAGE, SPEC)
    notices = page_state.load()
    for notice in notices:
        st.info(notice)
    key = page_state.key
    columns = st.columns([1, 3])
    name = columns[0].selectbox("Model", names, key=key("model"),
                                help="Every attention model has a film; a plain model's film shows its outputs and "
                                     "loss only.")
    film = cache.get_film(name)
    if film is None:
        st.error(f"The training film of {name} cannot be read: its file in checkpoints/ is damaged.")
    if film is not None:
        probes = list(range(1, len(film.probe_inputs) + 1))
        if st.session_state.get(key("probe")) not in probes:
            st.session_state[key("probe")] = 1
        probe = columns[1].radio("Probe input", probes, key=key("probe"), horizontal=True,
                                 format_func=lambda k: film.probe_inputs[k - 1][:40])
        figure = cache.get_film_figure(name, probe - 1, phone=viewport.is_phone())
        present.chart(figure, key("film"), main=True)
        st.markdown(film_charts.half_sentence(film))
        widgets.download_animation(figure, f"Training film: {name}",
                                   [("Probe input", film.probe_inputs[probe - 1])], ["training", name, str(probe)],
                                   key("download"))
        st.caption(f"Training loss: the mean over the batches since the point before. Held-out "
                   f"{markdown_text(film.metric_name)}: on {film.metric_inputs} validation inputs the model never "
                   f"trained on. Grey dashed line: the first point whose held-out score reaches half its final value. "
                   f"The weights were kept to three decimals. The shipped model is the one from step "
                   f"{film.best_step:,} (its best score on the validation inputs).")
    page_state.save()

st.subheader("Train one yourself")
live.live_training_panel()
