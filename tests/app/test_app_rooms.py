"""AppTest: a presenter and a follower in one process. The follower goes where the presenter goes (page, scene,
settings), draws the room's one Train live run without moving it, and a forged move or click changes nothing;
a follower's own change branches off, and Back to the lecture rejoins at the presenter's place."""
from streamlit.testing.v1 import AppTest

from test_app_lecture import fresh as session  # a session at a page, whose later runs stay where the app goes
from playground.views.lecture import SCENES
from playground.web.rooms import FOLLOWING, PRESENTING, server_rooms


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def script(at: AppTest) -> list[str]:
    """Scene 2's script where the page shows it (the bar's Script popover)."""
    return [m.value for pop in at.get("popover") for m in pop.markdown if m.value == SCENES[1].script]


def step_shown(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Step")


def room_on(page: str) -> tuple[AppTest, AppTest, str]:
    """(presenter, follower, code): a room opened on the Lecture page, a follower on its link, the presenter moved
    on to `page`."""
    presenter = session(page="pages/5_lecture.py")
    ok(presenter.button(key="room:open").click().run())
    code, _ = presenter.session_state[PRESENTING]
    follower = ok(session({"room": code}))
    ok(presenter.switch_page(page).run())
    presenter._page_hash = ""
    return presenter, follower, code


def test_a_room_s_follower_goes_where_the_presenter_goes_and_never_moves_it():
    presenter = session(page="pages/5_lecture.py")
    ok(presenter.button(key="room:open").click().run())
    code, _ = presenter.session_state[PRESENTING]
    assert code in presenter.code[0].value  # the link students open

    follower = ok(session({"room": code}))  # opened the link on the home page: taken to the Lecture page
    assert titles(follower) == ["Lecture"] and follower.session_state[FOLLOWING]["code"] == code
    shown = " ".join(m.value for m in follower.markdown)  # no scene's script (they give the answers away), no
    assert SCENES[1].title in shown and SCENES[1].script not in shown  # buttons of the lecturer's
    assert not [b for b in follower.button if b.key in ("lecture:start", "room:open")]
    assert SCENES[1].script in " ".join(m.value for m in presenter.markdown)

    ok(presenter.button(key="lecture:start").click().run())  # scene 1
    ok(presenter.button(key="lecture:next").click().run())  # scene 2
    ok(follower.run())
    assert titles(follower) == [f"Scene 2 of {len(SCENES)}: {SCENES[1].title}"]
    assert script(presenter) and not script(follower)  # no script on a follower's screen (the projector's)
    assert not [b for b in follower.button if b.key in ("lecture:next", "lecture:previous")]
    assert follower.session_state["review:config"] == presenter.session_state["review:config"]
    assert follower.query_params["room"] == code

    where = server_rooms().get(code).where
    follower.session_state[PRESENTING] = (code, "a forged secret")  # a student pretending to present
    ok(follower.run())
    assert server_rooms().get(code).where == where and PRESENTING not in follower.session_state


def test_on_train_live_a_room_trains_one_run_that_followers_draw_and_cannot_drive():
    presenter, follower, code = room_on("pages/2_train_live.py")
    ok(presenter.button(key="train:step").click().run())
    ok(presenter.button(key="train:step").click().run())
    ok(follower.run())
    assert step_shown(follower) == step_shown(presenter) != "0"
    assert follower.button(key="train:step").disabled and follower.button(key="train:reset").disabled
    # the lecturer's settings float over the charts when opened (a popover), drawn only then
    assert [p.proto.popover.label for p in follower.get("popover")] == ["Settings"] and not follower.slider
    assert presenter.slider(key="train.hidden").value == follower.session_state["train:config"].hidden

    before = step_shown(presenter)
    for key in ("train:reset", "train:play"):  # forged clicks: a message as the disabled buttons would send
        button = follower.button(key=key)  # (Streamlit drops it; were it run, the follower's pool.Watcher refuses
        button.proto.disabled = False  # it: tests/server/test_room_runs.py)
        ok(button.click().run())
    ok(presenter.run())
    assert step_shown(presenter) == before and not presenter.session_state["train:session"].session.playing

    follower.session_state["train.lr"] = 0.1  # the follower changes a setting: it explores on its own
    ok(follower.run())
    ok(follower.run())
    assert follower.session_state[FOLLOWING]["branched"] and "room" not in follower.query_params
    assert step_shown(follower) == before  # its own copy of the room's run, at the room's step
    assert follower.session_state["train:session"].sid != f"room-{code}"
    ok(follower.button(key="train:step").click().run())
    ok(presenter.run())
    assert step_shown(presenter) == before and step_shown(follower) != before  # the room's run did not move
    assert server_rooms().get(code).counts(__import__("time").monotonic()) == (0, 1)

    follower.query_params["room"] = code  # the room's link again: it stays on its own (the URL loses the room)
    ok(follower.run())
    assert follower.session_state[FOLLOWING]["branched"] and "room" not in follower.query_params
    follower.session_state[FOLLOWING] = {**follower.session_state[FOLLOWING], "branched": False, "applied": -1}  # as
    # Back to the lecture leaves it (rooms.rejoin; the button is app.py's sidebar, which AppTest runs only once)
    ok(follower.run())
    assert not follower.session_state[FOLLOWING]["branched"] and step_shown(follower) == before


def test_a_follower_s_settings_are_the_lecturer_s_folded_and_drawn_once_opened():
    """A follower's page runs again at every move of the lecturer, a whole class at once: its settings (the
    lecturer's) are folded and drawn only when the student opens a fold (ui.settings_box), where a change branches
    off as anywhere. The presenter's page keeps its widgets."""
    presenter, follower, code = room_on("pages/3_why_lstm_gru.py")
    presenter.slider(key="gates.T").set_value(45)
    ok(presenter.run())
    ok(follower.run())

    assert titles(follower) == titles(presenter) and follower.session_state["gates:config"].T == 45
    folds = [e.proto.label for e in follower.expander if e.proto.label.startswith("Settings")]
    assert len(folds) == 4 and "T = 45" in folds[0]  # each labelled with its values
    assert "delays 5, 10, 20, 40" in folds[3] and "RNN (ReLU)" in folds[2]
    assert [s.key for s in follower.slider] == [] and [s.key for s in presenter.slider if s.key == "gates.T"]

    follower.session_state["gates:memory:flow_open"] = True  # what opening the flow's fold sends
    ok(follower.run())
    assert follower.slider(key="gates.T").value == 45 and not follower.session_state[FOLLOWING]["branched"]
    assert [s.key for s in follower.slider if s.key == "gates.race_steps"] == []  # the others stay folded

    follower.slider(key="gates.T").set_value(30)  # a change in the open fold: it explores on its own
    ok(follower.run())
    ok(follower.run())
    assert follower.session_state[FOLLOWING]["branched"] and "gates.race_steps" in [s.key for s in follower.slider]
    assert server_rooms().get(code).where[2]["T"] == "45"  # the room (and the presenter's page) did not move




def presenter_counts(scene: int, moved_ago: float) -> None:
    """The presenter's counts (room_boxes._presenter_counts, on its timer) in a room that moved to `scene` `moved_ago`
    seconds ago."""
    def script(scene: int, moved_ago: float) -> None:
        import time

        import streamlit as st

        from playground.views import lecture
        from playground.web import room_boxes, rooms as rooms_ui

        now = time.monotonic()
        room, secret = rooms_ui.server_rooms().open(now, "", {})
        page = rooms_ui.page_of(lecture.scene_url(scene))
        rooms_ui.server_rooms().move(room.code, secret, page, lecture.scene_params(scene), now - moved_ago)
        st.session_state[rooms_ui.PRESENTING] = (room.code, secret)
        room_boxes._presenter_counts(room.code)

    ok(AppTest.from_function(script, args=(scene, moved_ago), default_timeout=120).run())


def test_a_presenter_s_scene_prepares_the_next_scene_s_first_views_before_the_class_moves(monkeypatch):
    """The gradient-flow view of scene 8 (a few tenths of a second of torch) is computed while the room stays on
    scene 7, not by the first of a class arriving at scene 8 together (room_boxes.prepare_next, in the presenter's
    counts); not during the move to scene 7 itself (the class's page runs then), nor ahead of the tour's end."""
    from playground.views import gates, lecture
    from playground.web import jobs, room_boxes

    jobs._shared.clear()
    computed, real = [], gates.flow_view
    monkeypatch.setattr(gates, "flow_view", lambda setup, trained=None: computed.append(setup.T) or real(setup, trained))
    presenter_counts(7, moved_ago=0.0)
    presenter_counts(len(SCENES), moved_ago=60.0)
    assert computed == []
    presenter_counts(7, moved_ago=room_boxes.PREPARE_AFTER + 1)
    assert computed == [lecture.VANISH_T]  # scene 8's
    at = ok(session(lecture.scene_params(8), page="pages/3_why_lstm_gru.py"))
    assert titles(at) == [f"Scene 8 of {len(SCENES)}: {SCENES[7].title}"] and at.get("plotly_chart")
    assert computed == [lecture.VANISH_T]  # the page's own ask found it computed

    jobs._shared.clear()
    monkeypatch.setattr(gates, "flow_view", lambda setup, trained=None: 1 / 0)
    presenter_counts(7, moved_ago=room_boxes.PREPARE_AFTER + 1)  # a view that fails ahead: logged, the console goes on


def test_the_lecturer_s_race_and_generated_text_reach_the_followers_computed_once():
    """What the lecturer's press makes (Why LSTM & GRU's race, Train live's generated text) shows on every
    follower's screen too: the race is the presenter's one shared run (not one per follower), the text theirs."""
    from playground.web import jobs

    presenter, follower, code = room_on("pages/3_why_lstm_gru.py")
    presenter.slider(key="gates.T").set_value(12)
    presenter.session_state["gates.race_steps"] = 25
    presenter.session_state["gates.race_delays"] = "3"
    ok(presenter.run())
    ok(follower.run())
    assert not [c for c in follower.get("plotly_chart") if c.key == "gates:race"]  # no race yet
    submitted, real = [], jobs.shared_jobs().submit
    jobs.shared_jobs().submit = lambda key, run: submitted.append(key[0]) or real(key, run)
    try:
        ok(presenter.button(key="gates:race_run").click().run())
        ok(follower.run())
    finally:
        del jobs.shared_jobs().submit
    (race,) = presenter.session_state["gates:race"].values()
    (followed,) = follower.session_state["gates:race"].values()
    assert followed is race  # the presenter's run, joined: computed once
    summary = lambda at: [m.value for m in at.markdown if "at delay 3" in m.value or "none of these" in m.value]  # noqa: E731
    assert summary(follower) == summary(presenter) != []  # the same race summary a student reads
    race_chart = lambda at: [c.proto.spec for c in at.get("plotly_chart") if c.key == "gates:race"]  # noqa: E731
    assert race_chart(follower) == race_chart(presenter) and len(race_chart(follower)) == 1
    assert '"delay (distractor steps' in race_chart(follower)[0]  # the race's chart, drawn from one shared figure
    assert submitted == ["race", "race"]  # asked for by the presenter, then joined by the follower
    assert not follower.session_state[FOLLOWING]["branched"]

    ok(presenter.switch_page("pages/2_train_live.py").run())
    presenter.selectbox(key="train.task").set_value("text")
    ok(presenter.run())
    ok(follower.run())
    ok(presenter.button(key="train:step").click().run())
    ok(presenter.button(key="train:sample").click().run())
    ok(follower.run())
    text = presenter.code[0].value
    assert len(text) == 200 and [c.value for c in follower.code] == [text]
    assert follower.button(key="train:sample").disabled  # the class's text is the lecturer's


def test_a_follower_s_own_change_branches_off_and_the_toast_says_so_after_the_rerun():
    """The toast comes with the run that follows the branch-off (rooms.TOAST): one sent just before st.rerun() was
    gone when that quick run ended (Inside one step, in Chromium)."""
    presenter, follower, code = room_on("pages/4_inside_one_step.py")
    ok(follower.run())
    follower.session_state["onestep.look"] = "h" if follower.session_state["onestep.look"] != "h" else "a"
    ok(follower.run())
    assert follower.session_state[FOLLOWING]["branched"]
    assert [t.value for t in follower.toast if "explore on your own" in t.value] != []
    ok(follower.run())
    assert [t.value for t in follower.toast] == []  # said once


def test_a_follower_on_a_page_of_text_still_counts_in_the_presenter_s_console():
    """A follower whose page does not run for minutes (a scene of text) is heard by its sidebar's watch on the room
    (rooms.check_moved, every POLL_SECONDS): the presenter's counts keep it past SEEN_WITHIN."""
    def script() -> None:
        import time

        import streamlit as st

        from playground.server.rooms import SEEN_WITHIN
        from playground.web import internals, rooms as rooms_ui

        now = time.monotonic()
        room, _ = rooms_ui.server_rooms().open(now, "", {})
        rooms_ui.server_rooms().join(room.code, internals.session_id(), now - SEEN_WITHIN - 5)  # its last page run
        st.session_state[rooms_ui.FOLLOWING] = {"code": room.code, "applied": room.version, "branched": False}
        before = room.counts(now)
        rooms_ui.check_moved("")
        st.session_state["counts"] = before, room.counts(time.monotonic())

    at = ok(AppTest.from_function(script, default_timeout=60).run())
    assert at.session_state["counts"] == ((0, 0), (1, 0))
