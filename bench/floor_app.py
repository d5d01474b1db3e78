"""The floor of bench/felt.py: a bare Streamlit page with one Plotly heatmap, the least any page of the app costs."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Floor: one Plotly heatmap")
z = np.random.default_rng(0).normal(size=(32, 20))
st.plotly_chart(go.Figure(go.Heatmap(z=z, colorscale="RdBu")), key="floor")
