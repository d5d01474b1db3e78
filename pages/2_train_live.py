"""Train live: a tiny RNN learns a toy sequence task in the browser; Play / Pause / Step / Reset."""
import time

import streamlit as st

from playground.state import limits, options
from playground.views import train_live as live
from playground.views.train_live import PREFIX, LiveConfig
from playground.web import feed as feed_ui
from playground.web import lecture as lecture_ui
from playground.web import live as live_ui
from playground.web import paint
from playground.web import rooms as rooms_ui
from playground.web import steady
from playground.web import ui

ui.require_navigation()
scene = lecture_ui.header("Train live", PREFIX)  # a lecture scene: its bar in the title's place, its settings
INTRO = ("Pick a task, press ▶ Play, watch a tiny recurrent network learn it; switch $f$ and $g$, make it blow up.")
if not ui.classroom_on() and scene is None:  # classroom mode: in the folded settings (the chart on the first screen)
    st.caption(INTRO)
ROOM_HELP = "The lecturer drives this run. Explore on my own (in the sidebar) trains a copy of it yourself."
K = lambda name: ui.key(PREFIX, name)  # noqa: E731
METRIC_WIDTH = ui.px(125)  # pixels per number above the charts: four in one row at 1280 px (ui.px: classroom type)
PICKER_WIDTH = ui.px(280)  # the demo and task pickers: their longest names whole at 1024 px (the settings column is narrow)


def on_task_change() -> None:
    for name, value in live.task_defaults(st.session_state[K("task")]).items():
        st.session_state[K(name)] = value


def on_demo() -> None:
    name = st.session_state.get(f"{PREFIX}:demo")
    if name:
        for field, value in live.config_fields(live.demo_config(name)).items():
            st.session_state[K(field)] = value


def control(action: str) -> None:
    h = live_ui.live_run()
    if h is not None:
        with ui.callback_errors(f"{PREFIX}:controls"):
            h.call(action)


def clip_on() -> None:
    st.session_state[K("clip")] = True


def on_upload() -> None:
    file = st.session_state.get(f"{PREFIX}:upload")
    h = live_ui.live_run()
    if file is None or h is None:
        return
    with ui.callback_errors(f"{PREFIX}:upload"):
        cfg = h.call("load", file.getvalue())
        for name, value in live.config_fields(cfg).items():
            st.session_state[K(name)] = value
        st.session_state[f"{PREFIX}:config"] = cfg


ui.init_config(LiveConfig, PREFIX)
live.clamp_length(st.session_state, K("task"), K("length"), K("text"))
task_now = live.current_task(st.session_state[K("task")], st.session_state[K("text")])
demo_now = st.session_state.get(f"{PREFIX}:demo")
if demo_now and not live.still_shown(demo_now, {n: st.session_state.get(K(n)) for n in live.STRUCTURAL}):
    st.session_state[f"{PREFIX}:demo"] = None  # the user has moved on: drop the demo and its script
top = st.container(horizontal=True, vertical_alignment="bottom")  # wraps on a narrow screen
if scene is None:  # a lecture scene is a demo already
    top.selectbox("Lecture demos", list(live.DEMOS), index=None, placeholder="Pick a ready-made demo…",
                  format_func=lambda d: live.DEMOS[d].label, key=f"{PREFIX}:demo", on_change=on_demo,
                  width=PICKER_WIDTH)
top.selectbox("Task", list(live.TASKS), key=K("task"), on_change=on_task_change,
              format_func=lambda n: live.TASKS[n].label, width=PICKER_WIDTH,
              label_visibility="collapsed" if scene else "visible")  # a scene: one row less above the chart
st.html(live.CONTROLS_CSS)  # big buttons
steady.steady_charts()  # the charts redraw without a blank
buttons = top.container(horizontal=True, vertical_alignment="center", width="content")  # filled below
if st.session_state.get(f"{PREFIX}:demo"):
    st.caption(live.DEMOS[st.session_state[f"{PREFIX}:demo"]].script)
first = paint.first_run(PREFIX)  # a first visit: the curves alone, the rest on the rerun that follows
controls, header, main = ui.settings_columns([1.4, 3], key=ui.memory_key(PREFIX, "settings_open"), gap="medium")  # classroom mode
# and a room's follower: folded, main full width
about = None  # the task's card, in the settings (not in a follower's closed fold)
if ui.opened(controls):
    with controls:
        if ui.classroom_on():
            st.caption(INTRO)
        st.markdown("**Data**")
        about = st.container()  # the task's card, once the settings are known
        st.slider(task_now.knob.label.capitalize(), task_now.knob.lo, task_now.knob.hi, key=K("length"),
                  help=task_now.knob.help or None)
        if task_now.takes_text:
            st.text_area("Text to learn", key=K("text"), max_chars=live.TEXT_MAX_CHARS, height=90,
                         help="Any short text; the model learns to predict its next character.")
            if not st.session_state[K("text")].strip():
                st.caption("The box is empty, so the model learns the default text.")
        st.markdown("**Model**")
        st.radio("Cell", list(live.CELLS), format_func=lambda c: live.CELLS[c].label, horizontal=True, key=K("cell"))
        st.selectbox("Hidden activation f", list(live.HIDDEN), format_func=lambda f: live.HIDDEN[f].label,
                     key=K("f"), disabled=st.session_state[K("cell")] != "rnn",
                     help="Only the Elman RNN uses f; LSTM and GRU have fixed sigmoid gates and tanh.")
        st.selectbox("Output activation g (picks the loss)", list(live.OUTPUT), key=K("g"),
                     format_func=lambda g: live.OUTPUT[g].label)
        st.caption(f"Loss: {live.OUTPUT[st.session_state[K('g')]].loss_name}")
        st.slider("Hidden size (units in h_t)", **limits(LiveConfig, "hidden"), key=K("hidden"))
        st.markdown("**Training**")
        st.selectbox("Optimizer", list(live.OPTIMIZERS), format_func=lambda o: live.OPTIMIZERS[o].label,
                     key=K("optimizer"))  # one widget per row: the column is narrow on a 1024 px projector
        st.selectbox("Batch size", options(LiveConfig, "batch_size"), key=K("batch_size"))
        st.select_slider("Learning rate", options(LiveConfig, "lr"), key=K("lr"), format_func=lambda v: f"{v:g}")
        if hint := live.rate_hint(*(st.session_state[K(n)] for n in ("lr", "optimizer", "f", "cell", "clip"))):
            st.caption(f"⚠️ {hint}")
        st.toggle("Clipping", key=K("clip"), help="Gradient clipping: rescale the gradient when its norm exceeds "
                                                  "the max norm.")
        st.number_input("Max norm", **limits(LiveConfig, "clip_norm"), step=0.1, key=K("clip_norm"),
                        disabled=not st.session_state[K("clip")])
        st.number_input("Random seed", **limits(LiveConfig, "seed"), step=1, key=K("seed"), disabled=ui.classroom_on(),
                        help="Same seed, same settings: the same data, starting weights and curves.")
        st.select_slider("Steps per tick", options(LiveConfig, "steps_per_tick"), key=K("steps_per_tick"),
                         help="Training steps per point of the loss history and per click of Step: the same on "
                              "every screen, however busy the server is.")
        st.toggle("Slow pace", key=K("slow"), help=live.SLOW_HELP.format(steps=st.session_state[K("steps_per_tick")]))
cfg = ui.publish_config(LiveConfig, PREFIX)
temperature_run = st.session_state[K("temperature")]  # as this whole run published it (see sample_block)

with main, ui.friendly_errors():
    h = live_ui.live_handle()  # in a room: the room's run (a follower only looks at it)
    rebuilt, now = (False, live_ui.room_snapshot(h)) if h.read_only else h.call("open", cfg)  # a follower's: None
    # until the lecturer's run is on the server (the room moves here as the lecturer's page opens it)
    lead = dict(disabled=True, help=ROOM_HELP) if h.read_only else {}  # a follower's controls: the lecturer's
    if about is not None:
        with about, st.expander("About this task", expanded=False):
            st.markdown(live.task_card(cfg))
    if now is not None and now.playing:
        buttons.button("Pause", icon=":material/pause:", key=f"{PREFIX}:pause", on_click=control, args=("pause",),
                       **lead)
    else:
        buttons.button("Play", icon=":material/play_arrow:", key=f"{PREFIX}:play", on_click=control,
                       args=("play",), type="primary", **({"disabled": now is None or not now.has_model} | lead))
    buttons.button("Step", icon=":material/skip_next:", key=f"{PREFIX}:step", on_click=control,
                   args=("step_once",), **({"disabled": now is None or not now.has_model,
                                            "help": f"Train to the end of this tick (a tick is {cfg.steps_per_tick} "
                                                    "steps; after a Pause, what is left of it), then stop."} | lead))
    buttons.button("Reset", icon=":material/restart_alt:", key=f"{PREFIX}:reset", on_click=control,
                   args=("reset",), **({"help": "New weights from the seed; the history starts over."} | lead))
    ui.show_callback_error(f"{PREFIX}:controls")
    header.markdown(live.equations_inline(cfg.cell, cfg.f, cfg.g))  # the model as chosen: wraps where narrow
    if rebuilt:  # under the equations, not beside the buttons (which it pushed onto a row of their own)
        header.caption(f":material/restart_alt: {live.REBUILT}")

    every = live_ui.redraw_every(now.busy if now is not None else 1, st.session_state.get(f"{PREFIX}:every"))
    st.session_state[f"{PREFIX}:every"] = every

    def sample_block() -> None:
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.slider("Temperature (0: always the likeliest character)", **limits(LiveConfig, "temperature"),
                      step=0.1, key=K("temperature"), width=ui.px(330))
            if st.session_state[K("temperature")] != temperature_run:  # moved in the panel's redraw (a fragment):
                st.rerun(scope="app")  # a whole run writes it to the link (a presenter's: to the room's screens)
            if st.button("Generate 200 characters", key=f"{PREFIX}:sample", icon=":material/edit_note:",
                         **lead):  # a follower: the lecturer's text (another sample here would not be the class's)
                temperature = st.session_state[K("temperature")]
                step, text = h.call("written", "", 200, temperature)
                st.session_state[f"{PREFIX}:sampled"] = mine = (time.monotonic(), text, step, temperature)
                ui.share_with_room(f"{PREFIX}:sampled", mine)  # a presenter's text: the class sees it too
        # the newer of this session's text and, on a follower's screen, the lecturer's
        sampled = max([t for t in (st.session_state.get(f"{PREFIX}:sampled"), ui.room_shared(f"{PREFIX}:sampled"))
                       if t], default=None)
        if sampled:
            with st.container(key=f"{PREFIX}:sampled"):
                st.code(sampled[1], language=None, wrap_lines=True)
                st.caption(live.sample_caption(*sampled[2:], st.session_state[K("temperature")]))

    # a follower redraws the room's run about once a second, playing or not (the lecturer may Step), and looks for moves
    @st.fragment(run_every=rooms_ui.FOLLOW_REDRAW if h.read_only else every if now.playing else None)
    def training_panel() -> None:
        if h.read_only:
            rooms_ui.check_moved("train_live")
        with ui.friendly_errors():
            s = live_ui.room_snapshot(h) if h.read_only else live_ui.snapshot(h)  # a room's: one for all its screens
            if s is None:
                st.info("Waiting for the lecturer's run: it appears here as soon as their Train live page opens it.")
                return
            if not h.read_only and now.playing and not s.playing:  # (a follower's buttons are greyed either way)
                st.rerun()  # stopped (NaN, the cap, a gone worker): redraw the buttons and stop the timer
            if not h.read_only and s.playing and live_ui.redraw_every(s.busy, every) != every:  # (a follower:
                st.rerun()  # once a second) others started or stopped training beside this run, or the server's
                # crowd of redraws grew or shrank: redraw at the new pace
            if s.status == "refused" or not s.has_model:
                st.warning(s.message or "There is no model: the settings were refused.")
                return
            if s.message:
                (st.error if s.status == "diverged" else st.info)(s.message)
            if s.status != "diverged" and (blown := live.blown_note(s.rows)):  # blown up, though no number
                st.warning(blown, icon=":material/warning:")  # overflowed: nothing stopped the run
            if s.status == "diverged" and not h.read_only:  # the ways back, in one row (wraps if narrow)
                with st.container(horizontal=True, key=f"{PREFIX}:recover"):
                    if not cfg.clip:  # the lesson's fix, one click away (Settings may be folded)
                        st.button(f"Turn Clipping on (max norm {cfg.clip_norm:g}) and go back to before the blow-up",
                                  icon=":material/content_cut:", key=f"{PREFIX}:clip_on", on_click=clip_on,
                                  type="primary",
                                  help="The same as turning on Clipping in the settings: the run goes back to its "
                                       "last point before the blow-up, with clipping on. Then press Play.")
                    if s.rewind_step is not None:
                        st.button(f"Rewind to step {s.rewind_step}, before the blow-up",
                                  icon=":material/fast_rewind:", key=f"{PREFIX}:rewind", on_click=control,
                                  args=("rewind",),
                                  help=f"Back to the last point where the held-out loss was under {live.HEALTHY:g} "
                                       "times the untrained model's: its weights and batches, the history cut there. "
                                       "Change a setting first (e.g. turn Clipping on) to see what it does from there.")
            if st.session_state[K("clip")] != cfg.clip:  # set by the button since the page's last full run:
                st.rerun()  # run the whole page, so that the new setting reaches the run and the Clipping switch
            if s.note:
                st.caption(f"ℹ️ {s.note}")
            if s.playing and s.busy > 1:
                st.caption(f"⏳ {live.busy_note(s.busy, live.rate_shown(s))}")
            if s.playing and not h.read_only and (crowd := live_ui.slowed_by_crowd(every, s.busy)):
                st.caption(f"⏳ {live.pace_note(every, crowd)}")
            with live_ui.one_redraw_at_a_time():
                p = live_ui.panel(h, s, live.panel)  # a room's: drawn once for all its screens
                numbers = st.container(horizontal=True)  # fixed widths: one row at 1024 px, wraps if narrower
                (label, value, rate), *others = live.numbers(p.stats)
                numbers.metric(label, value, delta=rate, delta_color="off", delta_arrow="off", width=METRIC_WIDTH,
                               help="Training steps so far, and how many the server trains per second now.")
                for label, value, _ in others:
                    numbers.metric(label, value, width=METRIC_WIDTH)
                if live.TASKS[s.task].generates:  # a text model's point is its text: sampled right under the numbers
                    sample_block()
                live_ui.live_chart(p.curves, f"{PREFIX}:curves", alt="Loss and metric against training step, for "
                              "training batches and the held-out set", height_factor=1)  # whole on a first screen
                if first:
                    return
                live_ui.live_chart(p.network, f"{PREFIX}:network", alt="The network unrolled over the first steps of "
                              "one held-out sequence: x_t, h_t and y_t nodes coloured by their values, W_xh, W_hh and "
                              "W_hy edges coloured and sized by their weights")
                st.markdown("**One held-out sequence: $h_t$ at every step, and the answer $y_t$**")
                live_ui.live_chart(p.probe, f"{PREFIX}:probe", alt="Hidden state h_t of one held-out sequence at "
                              "every step, with the targets and the model's answers")
                left, right = st.columns(2)
                with left:
                    st.markdown("**Gradient reaching each step, $\\|\\partial L/\\partial h_t\\|$** (log scale)")
                    live_ui.live_chart(p.grads, f"{PREFIX}:grads", alt="Gradient norm reaching each step, log scale")
                with right:
                    st.markdown("**Spectral radius of $W_{hh}$** (largest |eigenvalue|)")
                    live_ui.live_chart(p.spectral, f"{PREFIX}:spectral", alt="Spectral radius of W_hh against training step")
                st.markdown("**Weights** (one colour scale for all three, centred on 0)")
                live_ui.live_chart(p.weights, f"{PREFIX}:weights", alt="Heatmaps of the weight matrices W_xh, W_hh "
                              "and W_hy on one colour scale")

    def downloads() -> None:
        """Below the panel, drawn by the page's run and not by each redraw (each was two buttons and a row more for
        the server, per session and redraw): the files are made when clicked, from the run as it is then."""
        d1, d2 = st.columns(2)
        ui.download("Loss history (CSV)", lambda: h.call("csv"), f"train_live_history_{cfg.task}",
                    key=f"{PREFIX}:csv", where=d1, icon=None)
        ui.download("Weights + settings (.pt)", lambda: h.call("weights_file"), f"train_live_model_{cfg.task}",
                    ext="pt", key=f"{PREFIX}:weights_file", where=d2, icon=None,
                    help="Load it again below, or in Python with playground.lesson.cells.load_model.")

    if h.read_only and feed_ui.wanted():  # a follower's browser draws the room's run itself: no script run per redraw
        if live.TASKS[cfg.task].generates:  # the lecturer's text on the first screen, above the room's run
            sample_block()
        feed_ui.follow(rooms_ui.following(), rooms_ui.applied_version(), ui.classroom_on())
        downloads()
    else:
        training_panel()
        if now is not None and now.has_model and not first:  # (a first visit: with the rest, on the rerun after its paint)
            downloads()
    if not h.read_only and not first:  # a follower's upload would replace the room's run; a first visit: with the rest
        st.file_uploader("Continue from a saved weights file", type=["pt"], key=f"{PREFIX}:upload",
                         on_change=on_upload)
    ui.show_callback_error(f"{PREFIX}:upload")  # a file that could not be loaded: why, here by the uploader
