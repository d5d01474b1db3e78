"""Why LSTM & GRU (placeholder until issue 5 lands)."""
import streamlit as st

st.title("Why LSTM & GRU")
st.info("This page is being built. Meanwhile, the landing page shows the model it will use.")
