"""RNN Playground: navigation and the landing page."""
import streamlit as st

from playground.web import rooms as rooms_ui
from playground.web import internals, priority, room_boxes, ui, warm
from playground.views.pages import GLOSSARY, PAGES, missing_page, not_found_message

internals.batch_script_events()  # a script run's elements reach the event loop in batches (a class at once)


def landing() -> None:
    rooms_ui.before_page("")  # a room's link lands here: its follower goes where the presenter is
    st.title("RNN Playground")
    missing = missing_page(st.context.url, st.get_option("server.baseUrlPath"))
    if missing:  # a mistyped link: Streamlit runs the home page instead
        with st.container(border=True):
            st.warning(not_found_message(missing), icon=":material/link_off:")
            for page in PAGES:
                st.page_link(page.path, label=page.title, icon=page.icon, query_params=ui.link_params({}))
    st.markdown("See how a recurrent neural network reads a sequence, learns, and fails. "
                "Every page uses the Elman RNN of the lesson:")
    st.latex(r"h_t = f\left(W_{xh}\,x_t + W_{hh}\,h_{t-1} + b_h\right)")
    st.latex(r"y_t = g\left(W_{hy}\,h_t + b_y\right)")
    st.markdown(
        "- $x_t$ is the input at step $t$ (a word's embedding, a bit, a number), $h_t$ the hidden state "
        "that carries memory from step to step, $y_t$ the output after step $t$.\n"
        "- $f$ is the hidden activation (tanh, sigmoid, ReLU, ...), $g$ the output activation "
        "(sigmoid for a yes/no label, softmax for classes, identity for a number).\n"
        "- The same weights $W_{xh}, W_{hh}, W_{hy}$ are used at every step.\n"
        "- The lesson's four uses are all here: sequence classification (a review's sentiment; parity, "
        "brackets), next-element prediction (delayed recall, counting), sequence generation (next character "
        "of a text, sampled) and time series (a noisy sine).")
    st.subheader("Pages")
    for page in PAGES:
        st.page_link(page.path, label=page.title, icon=page.icon, query_params=ui.link_params({}))
        st.caption(page.blurb)
    st.caption("Every view's settings live in its link: copy the address bar to share exactly what you see.")
    with st.expander("Words used in the app", icon=":material/menu_book:"):
        st.markdown("\n".join(f"- **{word}**: {meaning}" for word, meaning in GLOSSARY.items()))
    rooms_ui.after_page("")


pages = [st.Page(landing, title="Home", icon=":material/home:", default=True)]
pages += [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url) for p in PAGES]
classroom = ui.classroom_mode()  # ?classroom=1 or the sidebar's toggle: a projector's view of every page
# A 200 px sidebar (Streamlit's default is 300) leaves a 1024 px projector room for the pages' settings columns.
st.set_page_config(page_title="RNN Playground", page_icon="🔁", layout="wide",
                   initial_sidebar_state="collapsed" if classroom else 200)
current = st.navigation(pages)
ui.note_page(current.url_path)  # a page's rerun is told from a link into it (ui.init_config)
rooms_ui.register_pages({p.url_path: p for p in pages})  # where a room's followers may be taken
internals.preload_plotly(st.sidebar)  # the charts' code loads on Home too, before a page with charts needs it
with st.sidebar:
    for page in pages if not rooms_ui.following() else ():  # a follower is taken where the lecturer is (and its
        st.page_link(page, label=page.title, icon=page.icon, query_params=ui.link_params({}))  # page runs lighter)
    ui.classroom_toggle()
    room_boxes.sidebar(current.url_path)
    st.divider()
if current.url_path:  # every page but Home computes with torch (Home imports none: a new server's first page is quick)
    warm.one_thread()
# the crowd's timer redraws and training wait for it (a visitor does not queue behind them)
with priority.page_run(first=ui.session_first_run()):
    current.run()
warm.warm_up()  # once per server, after its first page: the other pages' code and the training workers
