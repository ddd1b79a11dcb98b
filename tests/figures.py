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
