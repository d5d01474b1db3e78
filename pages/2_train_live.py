"""Train live (placeholder until issue 4 lands)."""
import streamlit as st

st.title("Train live")
st.info("This page is being built. Meanwhile, the landing page shows the model it will use.")
