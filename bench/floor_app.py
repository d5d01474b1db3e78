"""The floor of bench/felt.py: a bare Streamlit page with one Plotly heatmap, the least any page of the app costs.

The same page twice: at the site's root (/) and at a page's path (/chart), as the app's pages are (/train_live ...).
At a page's path Streamlit's frontend first asks the server at that path and then at the root before it connects."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st


def floor() -> None:
    st.title("Floor: one Plotly heatmap")
    z = np.random.default_rng(0).normal(size=(32, 20))
    st.plotly_chart(go.Figure(go.Heatmap(z=z, colorscale="RdBu")), key="floor")


st.navigation([st.Page(floor, title="Floor", default=True), st.Page(floor, title="Chart", url_path="chart")],
              position="hidden").run()
