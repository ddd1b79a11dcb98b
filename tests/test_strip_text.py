"""Token strips never overlap: labels go on up to three lines, the font shrinks, and at the smallest
font a label that clears no line is left out."""
from ui.animation import label_width
from ui.charts import strip_text


def placed_spans(strip: dict, width_px: float) -> list[list[tuple[float, float]]]:
    lines = []
    for row in strip["rows"]:
        cell = width_px / len(row)
        lines.append([((k + 0.5) * cell - label_width(label, strip["size"]) / 2,
                       (k + 0.5) * cell + label_width(label, strip["size"]) / 2) for k, label in enumerate(row) if label])
    return lines


def test_a_crowded_strip_leaves_labels_out_rather_than_overlap_them():
    labels = list("abcdefghijklmnopqrstuvwxyzabcdefghijklmn") + ["</s>"]
    strip = strip_text(labels, 100)
    assert strip["size"] == 9 and strip["lines"] == 3
    for spans in placed_spans(strip, 100):
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no two labels of a line overlap
    shown = [label for row in strip["rows"] for label in row if label]
    assert 0 < len(shown) < len(labels)


def test_a_strip_with_room_shows_every_label_on_one_line():
    labels = ["Geçen", "yıl", "Boston", "'·a", "gitti·m", "·.", "</s>"]
    strip = strip_text(labels, 800)
    assert strip["lines"] == 1 and strip["rows"][0] == labels and strip["size"] == 13
