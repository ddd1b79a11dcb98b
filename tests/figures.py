"""Read numbers back out of Plotly figure JSON (numpy arrays travel base64-encoded)."""
import base64
import json

import numpy as np


def array(value) -> np.ndarray:
    """A figure array as numpy: plain lists, or plotly's {"dtype", "bdata", "shape"} typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            data = data.reshape([int(s) for s in str(value["shape"]).split(",")])
        return data
    return np.asarray(value)


def figure_dict(figure) -> dict:
    """A figure (object or JSON text) as the dict the browser receives."""
    if isinstance(figure, str):
        return json.loads(figure)
    return json.loads(figure.to_json()) if hasattr(figure, "to_json") else figure


def all_label_text(spec: dict) -> str:
    """Every piece of text a figure can render as markup: titles, ticks, annotations, texts."""
    found = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"text", "ticktext", "title", "hovertemplate", "label", "name"}:
            found.append(node)

    walk(spec)
    return "\n".join(found)


def named(figure, name: str):
    """The one trace of `figure` named `name`: a trace object for a figure object, a dict for a
    figure's JSON (text or dict). Fails when no trace, or more than one, has that name."""
    traces = figure.data if hasattr(figure, "to_json") else figure_dict(figure)["data"]
    names = [t.get("name") if isinstance(t, dict) else t.name for t in traces]
    if names.count(name) != 1:
        raise AssertionError(f"{names.count(name)} traces named {name!r}; the figure's traces: {names}")
    return traces[names.index(name)]


def has_trace(figure, name: str) -> bool:
    """Whether `figure` has a trace named `name`."""
    traces = figure.data if hasattr(figure, "to_json") else figure_dict(figure)["data"]
    return any((t.get("name") if isinstance(t, dict) else t.name) == name for t in traces)


def frame_trace(figure, frame: dict, name: str) -> dict:
    """What animation `frame` sets on the trace named `name` (frames address traces by index)."""
    spec = figure_dict(figure)
    index = spec["data"].index(named(spec, name))
    return dict(zip(frame["traces"], frame["data"]))[index]
