"""The app side: Plotly figures and pandas tables built from a core Trace, the equations with
live numbers, the URL state and the widgets and caches that several pages share.

`charts`, `tables`, `equations`, `labels` and `state` are pure (no Streamlit) so tests can check
that what is drawn is exactly what the model computed; `widgets` and `cache` hold the Streamlit parts.
"""
