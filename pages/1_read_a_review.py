"""Read a review (placeholder until issue 3 lands)."""
import streamlit as st

st.title("Read a review")
st.info("This page is being built. Meanwhile, the landing page shows the model it will use.")
