"""The view's state as it travels in the URL: parse, check, fall back, and write back.

Each page declares its parameters once, as a list of `Param`. On /attention,
`?model=dates-attn&text=3rd+of+May+1979&step=4&temperature=0.5&hide=3,5&beam=3` names the model,
the input, the decoder step i (1-based, as in the lecture), the softmax temperature T, the
source positions hidden from attention (1-based x_j; the page calls them its mask) and the beam
width. Anything unreadable falls back to its default with a short notice; nothing here raises.
Pure Python, no Streamlit.

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

# the ranges of every widget and link that offers a temperature, a beam width or a seed: core's
from core.options import BEAM_MAX, SEED_MAX, TEMPERATURE_MAX, TEMPERATURE_MIN, TEMPERATURE_STEP  # noqa: F401

MAX_TEXT_CHARS = 500  # longer text is cut (every model's length cap is far below this)
LINK_MAX_CHARS = 6000  # the query string of a link the app writes (500 characters of any script fit)


def _single(value: object) -> str | None:
    """The one value of a query parameter (the last one if it was repeated)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


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


# ---- a page's declared list of parameters ----------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One URL parameter of a page. kind: 'choice' (one of `options`), 'int' or 'number' (from
    `lo` to `hi`; numbers snap to `step`), 'text' (at most MAX_TEXT_CHARS characters),
    'positions' (source positions: 1-based and comma-separated in the link, such as 3,5; a sorted
    list of 0-based positions below it, empty by default)."""

    name: str  # the value's name in the page (its widget's key)
    kind: str
    default: object
    options: tuple = ()
    lo: float = 0
    hi: float = 0
    step: float = 1
    label: str = ""  # how a notice names it ("the cell type"); defaults to the name
    url: str = ""  # its name in the link, when that differs from `name`
    default_by: str = ""  # a parameter declared before this one whose value picks this one's default ...
    defaults: Mapping[str, object] = field(default_factory=dict)  # ... from here (`default` for other values)
    fallback: object = None  # the value for an unreadable one, when it is not `default`
    notice: str = ""  # what the notice for an unreadable value says, instead of the generated sentence
    always: bool = False  # written into links even at its default

    @property
    def key(self) -> str:
        """The parameter's name in the link."""
        return self.url or self.name


def _read_param(param: Param, raw: str) -> tuple[object, str | None]:
    """The value `raw` gives `param`, and a notice when it was cut or could not be read (then the
    parameter's fallback, or its default, is used)."""
    what = param.label or param.name
    if param.kind == "text":
        if len(raw) > MAX_TEXT_CHARS:
            return raw[:MAX_TEXT_CHARS], (f"The {what} in the link has {len(raw):,} characters; the first "
                                          f"{MAX_TEXT_CHARS} are used.")
        return raw, None
    value = _read_value(param, raw)
    if value is not None:
        return value, None
    used = _default(param, {}) if param.fallback is None else param.fallback
    if param.notice:
        return used, param.notice
    if param.kind == "choice":
        return used, f"The {what} in the link is not one of {', '.join(map(str, param.options))}; using {used}."
    if param.kind == "positions":
        return used, f"The {what} in the link are not positions like 2,5; none are used."
    if param.kind == "int":
        return used, f"The {what} in the link is not a whole number from {param.lo:g} to {param.hi:g}; using {used}."
    return used, f"The {what} in the link is not a number from {param.lo:g} to {param.hi:g}; using {used}."


def _read_value(param: Param, raw: str) -> object | None:
    """The value `raw` gives `param` (not a text), or None when it cannot be read."""
    if param.kind == "choice":
        return raw if raw in param.options else None
    if param.kind == "positions":
        if not raw.strip():
            return []
        parts = [p.strip() for p in raw.split(",")]
        if all(p.isdigit() and 1 <= int(p) <= MAX_TEXT_CHARS for p in parts):
            return sorted({int(p) - 1 for p in parts})
        return None
    if param.kind == "int":
        return int(raw) if raw.strip().isdigit() and param.lo <= int(raw) <= param.hi else None
    try:
        value = float(raw)
    except ValueError:
        return None
    if math.isfinite(value) and param.lo <= value <= param.hi:
        snapped = param.lo + round((value - param.lo) / param.step) * param.step
        return round(min(max(snapped, param.lo), param.hi), 6)
    return None


def parse_params(params: Mapping[str, object], spec: Sequence[Param]) -> tuple[dict[str, object], list[str]]:
    """Values for every parameter of `spec` from query parameters (defaults where missing or
    unreadable) and the notices for what was ignored. Never raises."""
    values: dict[str, object] = {}
    notices: list[str] = []
    for param in spec:
        raw = _single(params.get(param.key))
        if raw is None:
            values[param.name] = _default(param, values)
            continue
        values[param.name], notice = _read_param(param, raw)
        if notice:
            notices.append(notice)
    return values, notices


def _default(param: Param, values: Mapping[str, object]) -> object:
    if param.default_by and values.get(param.default_by) in param.defaults:
        return param.defaults[values[param.default_by]]
    return list(param.default) if param.kind == "positions" else param.default


def params_for(values: Mapping[str, object], spec: Sequence[Param],
               extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Query parameters for `values`: text and choices always (a link names what it shows),
    positions when there are any, numbers only when they differ from the default (or always).
    `extra`: parameters every page carries (the presenter view's), written after the page's own."""
    out = {}
    for param in spec:
        value = values.get(param.name, param.default)
        if param.kind == "positions":
            if value:
                out[param.key] = ",".join(str(p + 1) for p in value)
        elif param.kind in ("text", "choice") or param.always or value != param.default:
            out[param.key] = f"{value:g}" if isinstance(value, float) else str(value)
    return fit_link(out | dict(extra or {}), [p.key for p in spec if p.kind == "text"])
