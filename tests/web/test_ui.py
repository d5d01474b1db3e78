"""The page-config glue: URL -> widgets on first visit, widgets -> URL after, bad links warn; charts."""
import json

from streamlit.testing.v1 import AppTest


def _script():
    from dataclasses import dataclass

    import streamlit as st

    from playground.web import ui
    from playground.state import choice, number

    @dataclass(frozen=True)
    class Cfg:
        cell: str = choice("rnn", ["rnn", "lstm", "gru"])
        hidden: int = number(8, 1, 64)

    ui.init_config(Cfg, "demo")
    st.selectbox("Cell", ["rnn", "lstm", "gru"], key=ui.key("demo", "cell"))
    st.number_input("Hidden", 1, 64, key=ui.key("demo", "hidden"))
    cfg = ui.publish_config(Cfg, "demo")
    st.write(f"config: {cfg.cell} {cfg.hidden}")
    with ui.friendly_errors():
        if cfg.hidden == 13:
            raise RuntimeError("internal detail that must not be shown")


def test_link_sets_widgets_and_widgets_update_link():
    at = AppTest.from_function(_script, default_timeout=30)
    at.query_params["cell"] = "gru"
    at.query_params["hidden"] = "16"
    at.run()
    assert at.selectbox[0].value == "gru" and at.number_input[0].value == 16
    at.selectbox[0].select("lstm").run()
    assert at.query_params["cell"] == "lstm" and at.query_params["hidden"] == "16"
    assert "config: lstm 16" in at.markdown[0].value


def test_bad_link_value_warns_and_uses_default():
    at = AppTest.from_function(_script, default_timeout=30)
    at.query_params["hidden"] = "1000"
    at.run()
    assert at.number_input[0].value == 8
    assert any("hidden" in t.value for t in at.toast)
    assert not at.exception


def test_unexpected_error_shows_short_message_not_traceback():
    at = AppTest.from_function(_script, default_timeout=30)
    at.query_params["hidden"] = "13"
    at.run()
    assert not at.exception
    assert "RuntimeError" in at.error[0].value and "internal detail" not in at.error[0].value


def test_share_link_round_trips_through_from_params():
    from urllib.parse import parse_qsl, urlsplit

    from playground.state import from_params, to_params
    from playground.web.ui import share_link
    from test_state import Demo

    cfg = Demo(cell="gru", hidden=5, review="not bad & <b>at all</b>?")
    link = share_link("https://x.streamlit.app/", "train", to_params(cfg))
    parts = urlsplit(link)
    assert parts.path == "/train"
    assert from_params(Demo, dict(parse_qsl(parts.query))) == (cfg, [])
    # st.context.url may already end with the page's path: it is not repeated
    assert urlsplit(share_link("https://x.streamlit.app/train", "train", {})).path == "/train"
    assert urlsplit(share_link("http://127.0.0.1:8501/sub/", "train", {})).path == "/sub/train"


def test_callback_errors_become_a_warning_on_the_page_not_a_traceback():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from playground.web import ui
        from playground.errors import InputError

        def fail(kind):
            with ui.callback_errors("demo"):
                raise InputError("That file is not ours.") if kind == "ours" else ValueError("bug")

        st.button("ours", on_click=fail, args=("ours",))
        st.button("bug", on_click=fail, args=("bug",))
        ui.show_callback_error("demo")

    at = AppTest.from_function(script, default_timeout=30).run()
    at.button[0].click().run()
    assert [w.value for w in at.warning] == ["That file is not ours."] and not at.exception
    at.button[1].click().run()
    assert "Something went wrong (ValueError)" in at.warning[0].value and not at.exception


def _chart_script():
    import streamlit as st

    from playground.web import live as live_ui
    from playground.figures import train as tf

    n = st.session_state.get("n", 2)
    live_ui.live_chart(tf.spectral_radius(list(range(n)), [0.5] * n), "k:spectral", alt="radius")
    with st.sidebar:  # the active container is honoured, as with st.plotly_chart
        live_ui.live_chart(tf.grad_norms([1.0, 0.1]), "k:grads", alt="grads")


def test_live_chart_sends_the_figure_as_it_is_under_an_id_that_follows_the_figure():
    import json

    from playground.figures import train as tf
    from playground.web import ui

    at = AppTest.from_function(_chart_script, default_timeout=30).run()
    main, side = at.main.get("plotly_chart")[0].proto, at.sidebar.get("plotly_chart")[0].proto
    assert json.loads(main.spec) == json.loads(tf.spectral_radius([0, 1], [0.5, 0.5]).json)
    assert main.alt == "radius" and json.loads(main.config) == ui.CHART_CONFIG and side.alt == "grads"
    first = main.id
    at.session_state["n"] = 3
    at.run()
    again = at.main.get("plotly_chart")[0].proto
    assert len(json.loads(again.spec)["data"][0]["x"]) == 3
    assert again.id != first  # the browser keeps a figure per id: a new figure needs a new id to be drawn


def _linked_script():
    from dataclasses import dataclass

    import streamlit as st

    from playground.web import ui
    from playground.state import choice, number

    @dataclass(frozen=True)
    class Cfg:
        cell: str = choice("rnn", ["rnn", "lstm", "gru"])
        hidden: int = number(8, 1, 64)

    ui.init_config(Cfg, "demo", link_wins=st.session_state.get("link_wins", True))
    st.selectbox("Cell", ["rnn", "lstm", "gru"], key=ui.key("demo", "cell"))
    st.number_input("Hidden", 1, 64, key=ui.key("demo", "hidden"))
    ui.publish_config(Cfg, "demo")


def test_with_link_wins_another_pages_link_replaces_what_it_names():
    at = AppTest.from_function(_linked_script, default_timeout=30)
    at.query_params["hidden"] = "16"
    at.run()
    at.selectbox[0].select("gru").run()  # the page's own edits stay: its URL is its own
    assert at.selectbox[0].value == "gru" and at.number_input[0].value == 16
    at.query_params.clear()
    at.query_params["hidden"] = "20"  # a link from elsewhere naming only hidden
    at.run()
    assert at.number_input[0].value == 20 and at.selectbox[0].value == "gru"
    at.session_state["link_wins"] = False
    at.query_params.clear()
    at.query_params["hidden"] = "30"
    at.run()
    assert at.number_input[0].value == 20  # without link_wins the session's settings win


def _charts_script():
    import plotly.graph_objects as go
    import streamlit as st

    from playground.web import classroom_mode, ui

    st.session_state[classroom_mode._CLASSROOM_ON] = bool(st.query_params.get("classroom"))
    fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], text=[["a", "b"], ["c", "d"]], texttemplate="%{text}"),
                    layout=dict(height=321, title="t"))
    if ui.classroom_on():  # what the chart used to be: plotly_chart of the scaled copy
        from playground.views import classroom
        st.plotly_chart(classroom.scaled_figure(fig.to_dict(), height_factor=1.2), key="old", theme=None,
                        config=ui.CHART_CONFIG)
    else:
        st.plotly_chart(fig, key="old", theme=None, config=ui.CHART_CONFIG)
    _, col = st.columns(2)
    ui.chart(fig, key="new", alt="a heatmap", where=col, height_factor=1.2)
    ui.chart(go.Figure(), key="bare", alt="no height")


def test_chart_sends_what_plotly_chart_sends_in_its_container_and_in_classroom_mode():
    for classroom in ("", "1"):
        at = AppTest.from_function(_charts_script, default_timeout=30)
        at.query_params["classroom"] = classroom
        at.run()
        old, new, bare = at.get("plotly_chart")
        assert json.loads(new.proto.spec) == json.loads(old.proto.spec)  # the same figure (keys in another order)
        assert new.proto.config == old.proto.config and new.proto.theme == old.proto.theme == ""
        assert new.proto.alt == "a heatmap"
        height = json.loads(new.proto.spec)["layout"]["height"]
        assert height == 321 if not classroom else height > 321  # scaled for the projector in classroom mode
        assert at.columns[1].get("plotly_chart")[0].proto.spec == new.proto.spec  # in the column it was given
        assert "height" not in json.loads(bare.proto.spec)["layout"]


def test_a_figure_is_encoded_once_however_many_runs_draw_it(monkeypatch):
    import plotly.graph_objects as go

    from playground.web import ui

    fig = go.Figure(go.Scatter(y=[1, 3, 2]), layout=dict(height=200))
    calls = []
    real = type(fig).to_dict
    monkeypatch.setattr(type(fig), "to_dict", lambda self: calls.append(1) or real(self))
    first = ui._encoded(fig, None)
    assert ui._encoded(fig, None) is first and len(calls) == 1  # a second session's run: nothing encoded again
    assert first[1] == 200 and '"y":[1,3,2]' in first[0].replace(" ", "")
    scaled = ui._encoded(fig, 1.0)  # classroom mode: its own encoding, once
    assert scaled[0] != first[0] and len(calls) == 2 and ui._encoded(fig, 1.0) is scaled
    assert ui._encoded(go.Figure(), None)[1] == 450  # plotly.js's default height
