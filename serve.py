"""The app as the server runs it: `streamlit run serve.py` (make run, the Dockerfile, the tests' and benches' servers).

app.py is the app (its pages, the navigation); this adds the routes a room's followers' browsers ask for its
Train live panel (playground/web/feed.py), through st.App, Streamlit's public way to serve routes beside an app.
`streamlit run app.py` still serves the whole app: a room's followers then redraw through the page's own timer.
"""
import streamlit as st

from playground.web import feed

app = st.App("app.py", routes=feed.routes())
