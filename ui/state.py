"""The view's state as it travels in the URL: parse, check, fall back, and write back.

`?model=dates-attn&text=3rd+of+May+1979&step=4&temperature=0.5&hide=3,5&beam=3` names the model,
the input, the decoder step i (1-based, as in the lecture), the softmax temperature T, the
source positions hidden from attention (1-based x_j) and the beam width. Anything unreadable
falls back to its default with a short notice; nothing here raises. Pure Python, no Streamlit.

A notice never quotes what the link held: it names the parameter, what it should be and what is
used instead. So nothing from a URL reaches a page's Markdown, where a value such as
![x](https://...) would load an outside image and [text](https://...) would become a link.

Links the app writes stay within LINK_MAX_CHARS characters after the '?': the HTTP server refuses
a request of about 16 KB, and a link must also survive being pasted into slides and chats. Texts
are cut in the link (never on the page) when the whole would not fit.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote_plus

MAX_TEXT_CHARS = 500  # longer text is cut (every model's length cap is far below this)
LINK_MAX_CHARS = 6000  # the query string of a link the app writes (500 characters of any script fit)
TEMPERATURE_MIN, TEMPERATURE_MAX, TEMPERATURE_STEP = 0.05, 5.0, 0.05
BEAM_MAX = 10
KEYS = ("model", "text", "step", "temperature", "hide", "beam")


@dataclass
class View:
    model: str
    text: str
    step: int = 1  # decoder step i, 1-based
    temperature: float = 1.0
    hide: list[int] = field(default_factory=list)  # 0-based source positions hidden from attention
    beam: int = 1


def _single(value: object) -> str | None:
    """The one value of a query parameter (the last one if it was repeated)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def snap_temperature(value: float) -> float:
    """The nearest temperature the slider offers."""
    steps = round((value - TEMPERATURE_MIN) / TEMPERATURE_STEP)
    return round(TEMPERATURE_MIN + steps * TEMPERATURE_STEP, 2)


def parse_view(params: Mapping[str, object], models: Sequence[str], default: View,
               examples: Mapping[str, str] | None = None) -> tuple[View, list[str]]:
    """Read a View from query parameters; returns it and the notices for what was ignored.
    Without text in the link, the view opens on the chosen model's example (`examples`)."""
    view = View(model=default.model, text=default.text)
    notices: list[str] = []

    model = _single(params.get("model"))
    if model is not None:
        if model in models:
            view.model = model
        else:
            notices.append(f"The link names a model this page does not have; showing {view.model}.")

    text = _single(params.get("text"))
    if text is None and examples and view.model in examples:
        view.text = examples[view.model]
    if text is not None:
        if len(text) > MAX_TEXT_CHARS:
            notices.append(f"The text in the link has {len(text):,} characters; the first {MAX_TEXT_CHARS} are used.")
            text = text[:MAX_TEXT_CHARS]
        view.text = text

    step = _single(params.get("step"))
    if step is not None:
        if step.strip().isdigit() and 1 <= int(step) <= 1000:
            view.step = int(step)
        else:
            notices.append("The step in the link is not a step number from 1 to 1000; showing step 1.")

    temperature = _single(params.get("temperature"))
    if temperature is not None:
        try:
            value = float(temperature)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and TEMPERATURE_MIN <= value <= TEMPERATURE_MAX:
            view.temperature = snap_temperature(value)
        else:
            notices.append(f"The temperature in the link is not a number from {TEMPERATURE_MIN} to {TEMPERATURE_MAX}; "
                           "using T = 1.")

    hide = _single(params.get("hide"))
    if hide is not None and hide.strip():
        parts = [p.strip() for p in hide.split(",")]
        if all(p.isdigit() and 1 <= int(p) <= MAX_TEXT_CHARS for p in parts):
            view.hide = sorted({int(p) - 1 for p in parts})
        else:
            notices.append("The hidden positions in the link are not positions like 2,5; nothing is hidden.")

    beam = _single(params.get("beam"))
    if beam is not None:
        if beam.strip().isdigit() and 1 <= int(beam) <= BEAM_MAX:
            view.beam = int(beam)
        else:
            notices.append(f"The beam width in the link is not a whole number from 1 to {BEAM_MAX}; using greedy "
                           "decoding.")
    return view, notices


def view_params(view: View, default: View) -> dict[str, str]:
    """Query parameters for a view; values equal to the default are left out to keep links short."""
    params = {"model": view.model, "text": view.text}
    if view.step != 1:
        params["step"] = str(view.step)
    if view.temperature != default.temperature:
        params["temperature"] = f"{view.temperature:g}"
    if view.hide:
        params["hide"] = ",".join(str(p + 1) for p in view.hide)
    if view.beam != 1:
        params["beam"] = str(view.beam)
    return fit_link(params, ["text"])


# ---- link length ------------------------------------------------------------------------------
def _encoded_chars(char: str) -> int:
    """How many characters `char` takes in a query string (urlencode's quote_plus: UTF-8 bytes as %XX)."""
    if char.isascii() and (char.isalnum() or char in "_.-~ "):
        return 1
    return 3 * len(char.encode("utf-8", "surrogatepass"))


def link_length(params: Mapping[str, str]) -> int:
    """The length of the query string Streamlit writes for `params` (key=value pairs joined by &)."""
    return sum(len(quote_plus(k)) + 1 + sum(map(_encoded_chars, v)) for k, v in params.items()) + max(len(params) - 1, 0)


def fit_link(params: dict[str, str], text_keys: Sequence[str], limit: int = LINK_MAX_CHARS) -> dict[str, str]:
    """`params` with its longest text values cut (at the end) until the query string has at most
    `limit` characters. The other values are short and kept whole."""
    out = dict(params)
    excess = link_length(out) - limit
    while excess > 0:
        key = max((k for k in text_keys if out.get(k)), key=lambda k: sum(map(_encoded_chars, out[k])), default=None)
        if key is None:
            break
        value, cut = out[key], len(out[key])
        while excess > 0 and cut > 0:
            cut -= 1
            excess -= _encoded_chars(value[cut])
        out[key] = value[:cut]
    return out


# ---- the other pages: a declared list of parameters --------------------------------------------
@dataclass(frozen=True)
class Param:
    """One URL parameter of a page. kind: 'choice' (one of `options`), 'int' or 'number' (from
    `lo` to `hi`; numbers snap to `step`), 'text' (at most MAX_TEXT_CHARS characters)."""

    name: str
    kind: str
    default: object
    options: tuple = ()
    lo: float = 0
    hi: float = 0
    step: float = 1
    label: str = ""  # how a notice names it ("the cell type"); defaults to the name


def _read_param(param: Param, raw: str) -> tuple[object, str | None]:
    what = param.label or param.name
    if param.kind == "choice":
        if raw in param.options:
            return raw, None
        return param.default, f"The {what} in the link is not one of {', '.join(map(str, param.options))}; using {param.default}."
    if param.kind == "text":
        if len(raw) > MAX_TEXT_CHARS:
            return raw[:MAX_TEXT_CHARS], (f"The {what} in the link has {len(raw):,} characters; the first "
                                          f"{MAX_TEXT_CHARS} are used.")
        return raw, None
    if param.kind == "int":
        if raw.strip().isdigit() and param.lo <= int(raw) <= param.hi:
            return int(raw), None
        return param.default, (f"The {what} in the link is not a whole number from {param.lo:g} to {param.hi:g}; "
                               f"using {param.default}.")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and param.lo <= value <= param.hi:
        snapped = param.lo + round((value - param.lo) / param.step) * param.step
        return round(min(max(snapped, param.lo), param.hi), 6), None
    return param.default, (f"The {what} in the link is not a number from {param.lo:g} to {param.hi:g}; using "
                           f"{param.default}.")


def parse_params(params: Mapping[str, object], spec: Sequence[Param]) -> tuple[dict[str, object], list[str]]:
    """Values for every parameter of `spec` from query parameters (defaults where missing or
    unreadable) and the notices for what was ignored. Never raises."""
    values: dict[str, object] = {}
    notices: list[str] = []
    for param in spec:
        raw = _single(params.get(param.name))
        if raw is None:
            values[param.name] = param.default
            continue
        values[param.name], notice = _read_param(param, raw)
        if notice:
            notices.append(notice)
    return values, notices


def params_for(values: Mapping[str, object], spec: Sequence[Param]) -> dict[str, str]:
    """Query parameters for `values`: text and choices always (a link names what it shows),
    numbers only when they differ from the default."""
    out = {}
    for param in spec:
        value = values.get(param.name, param.default)
        if param.kind in ("text", "choice") or value != param.default:
            out[param.name] = f"{value:g}" if isinstance(value, float) else str(value)
    return fit_link(out, [p.name for p in spec if p.kind == "text"])
