"""Entry point: builds the navigation over the pages, in the lecture's order."""
import streamlit as st

st.set_page_config(page_title="Seq2Seq Attention Explorer", page_icon="🔎", layout="wide")
navigation = st.navigation([st.Page("pages/home.py", title="Home", icon="🏠", url_path="", default=True)])
navigation.run()
