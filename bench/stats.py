"""Summaries the benchmark scripts print."""
from __future__ import annotations

import statistics


def summary(values: list[float], unit: str, digits: int) -> str:
    """'median … p90 … (n=…)' of measured values."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(values):.{digits}f} {unit}   p90 {p90:.{digits}f} {unit}   (n={len(values)})"
