"""Inside one step: the lesson's two equations computed term by term for a tiny RNN you set up, an unroll of it,
and one word of a review as the shipped RNN reads it."""
import streamlit as st

from playground.errors import InputError
from playground.state import limits, options
from playground.views import onestep as views
from playground.views.onestep import MATRICES, PREFIX, SOURCES, TERMS, OneStepConfig
from playground.web import lecture as lecture_ui
from playground.web import links, paint, ui

ui.require_navigation()
scene = lecture_ui.header("Inside one step", PREFIX)  # a lecture scene: its bar in the title's place, its settings
K = lambda name: ui.key(PREFIX, name)  # noqa: E731
VERSION = f"{PREFIX}:editors"  # bumped when the numbers change under the editors (random, reset, resize)
T_KEY = f"{PREFIX}:T"
DIMS = ("hidden", "inputs", "outputs")
EDITOR_PX, CELL_PX, EDITOR_ROW_PX = 75, 78, 820  # editors' widths (px at 1280 wide): index, a number, the row


def set_numbers(values: dict) -> None:
    for name, value in values.items():
        st.session_state[K(name)] = value
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


def sizes() -> dict:
    return {d: st.session_state[K(d)] for d in DIMS} | {"steps": st.session_state[T_KEY]}


def on_resize() -> None:
    with ui.callback_errors(PREFIX):
        old = {n: st.session_state[K(n)] for n in MATRICES + ("seq",)}
        set_numbers(views.resized(old, st.session_state[K("f")], st.session_state[K("seed")], **sizes()))


def on_random() -> None:
    with ui.callback_errors(PREFIX):
        seed = st.session_state[K("seed")]
        set_numbers(views.random_numbers(st.session_state[K("f")], seed, **sizes()))
        st.session_state[K("seed")] = views.next_seed(seed)  # the next press draws new numbers


def on_reset() -> None:
    default = OneStepConfig()
    set_numbers({d: getattr(default, d) for d in DIMS} | views.DEFAULTS | {"t": default.t})


def editor(name: str, columns: list[str], rows: list[str]) -> None:
    """A small table for one of the numbers; a valid edit goes into the config's text (and so into the URL)."""
    try:
        values = views.table(st.session_state[K(name)], name)
    except InputError as e:
        st.warning(str(e))
        return
    number = st.column_config.NumberColumn(min_value=-views.MAX_ABS, max_value=views.MAX_ABS, step=0.01,
                                           format="%.2f", width="small")
    import pandas as pd  # here, not at the top: only an opened editor needs pandas (and its memory)

    st.markdown(f"${views.LATEX[name]}$")
    edited = st.data_editor(pd.DataFrame(values, index=rows, columns=columns), key=f"{PREFIX}:edit:{name}:{version}",
                            column_config={c: number for c in columns})
    try:
        st.session_state[K(name)] = views.from_table(edited.to_numpy(dtype=float).tolist(), name)
    except InputError as e:
        st.warning(str(e))


ui.init_config(OneStepConfig, PREFIX, link_wins=True)
st.session_state[T_KEY] = views.steps_of(st.session_state[K("seq")])
version = st.session_state.get(VERSION, 0) + ui.forgotten(PREFIX)  # either grows: new editors (e.g. a lecture scene)
tiny_mode = st.session_state[K("source")] == "tiny"
SOURCE = dict(label="Calculator for", options=list(SOURCES), format_func=SOURCES.get, key=K("source"))
settings = ui.settings_box(key=ui.memory_key(PREFIX, "settings_open"))  # classroom mode, a room's follower: folded
if not tiny_mode:  # the review's word t within its words, whether its box is drawn or not
    T = max(views.n_tokens(st.session_state[K("text")]), 1)
    if not 1 <= st.session_state[K("word")] <= T:
        st.session_state[K("word")] = T
drawn = ui.opened(settings)  # not a follower's closed fold
if drawn and tiny_mode:
    top = settings.container(horizontal=True, vertical_alignment="bottom")  # fixed widths: wraps on a narrow screen
    top.selectbox(**SOURCE, width=ui.px(130))
    for d, label in zip(DIMS, ("Hidden H", "Inputs I", "Outputs")):
        lim = limits(OneStepConfig, d)
        top.number_input(label, **lim, step=1, key=K(d), on_change=on_resize, width=ui.px(88),
                         help=f"{lim['min_value']} to {lim['max_value']}: a tiny RNN, every number on the screen.")
    top.selectbox("f (hidden)", options(OneStepConfig, "f"), key=K("f"), format_func=lambda n: views.HIDDEN[n].label,
                  width=ui.px(150))
    top.selectbox("g (output)", options(OneStepConfig, "g"), key=K("g"), format_func=lambda n: views.OUTPUT[n].label,
                  width=ui.px(115))
    draw = top.container(horizontal=True, vertical_alignment="bottom", width="content")  # the seed and its buttons
    draw.number_input("Seed", **limits(OneStepConfig, "seed"), step=1, key=K("seed"), disabled=ui.classroom_on(),
                      help="What “Random” draws from next: the same seed gives the same numbers; each press moves it on by one.", width=ui.px(80))
    draw.button("Random", on_click=on_random, help=views.random_help(st.session_state[K("f")]))
    draw.button("Reset", on_click=on_reset, help=views.reset_help())
    ui.show_callback_error(PREFIX)
elif drawn:
    top = settings.columns([1.5, 3, 0.9, 2.5], vertical_alignment="bottom")
    top[0].selectbox(**SOURCE)
    top[1].text_input("Review", key=K("text"), max_chars=views.MAX_CHARS,
                      help=views.review_help())
    top[2].number_input("Word t", 1, T, step=1, key=K("word"))
st.segmented_control("Look at", list(TERMS), format_func=lambda k: TERMS[k][0], key=K("look"), required=True,
                     label_visibility="collapsed")
box = lecture_ui.sections(views.SECTIONS, scene.focus if scene else ("step",))  # a scene's focus first; else the
# step's picture (the page's point, on the first screen at 1024x768), then the equations it computes
eq_box, step_box, main_box, more_box = (box[n] for n in views.SECTIONS)

unroll_box = None  # the tiny RNN's unroll, where its fold is open
if tiny_mode:
    # folded until asked for (drawn on the rerun that opens it): its eight editors and the unroll chart cost a
    # first visit ~2 s of the browser's time before the step's picture appeared (bench/felt.py)
    more = more_box.expander("Set the numbers yourself, and unroll them over a short sequence", icon=":material/edit:",
                             key=f"{PREFIX}:more_open", on_change="rerun")
if tiny_mode and more.open:
    with more:
        st.subheader("Set the numbers")
        st.caption(f"Click a cell and type a number from −{views.MAX_ABS:g} to {views.MAX_ABS:g}. Rows are the "
                   "hidden units h[j] (or the outputs y[k]).")
        H, I, O = (st.session_state[K(d)] for d in DIMS)
        hid, inp, out = [f"h[{j}]" for j in range(H)], [f"x[{i}]" for i in range(I)], [f"y[{k}]" for k in range(O)]
        frame = {"x": (["x_t"], inp), "h_prev": (["h_t-1"], hid), "W_xh": (inp, hid), "W_hh": (hid, hid),
                 "b_h": (["b_h"], hid), "W_hy": (hid, out), "b_y": (["b_y"], out)}
        px = {n: EDITOR_PX + CELL_PX * len(frame[n][0]) for n in MATRICES}  # index column + the number columns
        rows = [[]]
        for name in MATRICES:  # as many editors a row as fit the page's width
            if rows[-1] and sum(px[n] for n in rows[-1]) + px[name] > EDITOR_ROW_PX:
                rows.append([])
            rows[-1].append(name)
        for row in rows:
            widths = [px[n] for n in row]
            for col, name in zip(st.columns(widths + [max(EDITOR_ROW_PX - sum(widths), 1)]), row):
                with col:
                    editor(name, *frame[name])
        st.subheader("Unroll: the same weights over a short sequence")
        a, b = st.columns([1, 3])
        a.slider("Steps T", 3, 8, key=T_KEY, on_change=on_resize)
        T = st.session_state[T_KEY]
        if st.session_state[K("t")] > T:
            st.session_state[K("t")] = T
        a.slider("Step t", 1, T, key=K("t"), help="Reveals h_1 .. h_t; the steps after t are not computed yet.")
        with b:
            editor("seq", inp, [f"x_{k}" for k in range(1, T + 1)])
        unroll_box = st.container()
else:
    contrib_box = more_box

cfg = ui.publish_config(OneStepConfig, PREFIX)
first = paint.first_run(PREFIX)
with ui.friendly_errors():
    units = None
    if cfg.source == "tiny":
        tiny = views.tiny_weights(cfg)
        s = views.step(tiny.weights, tiny.x, tiny.h_prev, cfg.f, cfg.g)
        fig, numbers_tex = views.step_view(s, tiny.weights, cfg.look), views.numbers(s, cfg.look, tiny.weights)
    else:
        rs = views.review_step(ui.shipped_model("rnn"), cfg.text, cfg.word)
        s = rs.step
        units, note = views.picked_units(rs, cfg.units)
        with top[3]:
            picked = st.multiselect("Units j", list(range(s.h.size)), default=units,
                                    max_selections=views.MAX_UNITS_PICKED, key=f"{PREFIX}:units:{rs.t}:{cfg.units}",
                                    help="Empty: the units whose value moved most at this word.")
        if picked != units:
            st.session_state[K("units")] = ",".join(map(str, picked))
            st.rerun()
        if note:
            st.warning(note)
        for notice in rs.notices:
            st.info(notice)
        fig, numbers_tex = views.review_step_view(rs, units, cfg.look), views.numbers(s, cfg.look, units=units)
    with eq_box:
        if cfg.source == "review":
            st.markdown(views.review_word_intro(rs.t, rs.word))
        for col, line in zip(st.columns([1.3, 1]), views.equations(s.f, s.g, cfg.look)):
            col.latex(line)
        st.caption(views.names(s.f, s.g))
        if cfg.source == "review":
            st.page_link("pages/1_read_a_review.py", label="Back to this word on Read a review",
                         icon=":material/menu_book:",
                         query_params=ui.link_params(links.review_params(cfg.text, rs.t)))
    with step_box:
        ui.chart(fig, key=f"{PREFIX}:step", alt="The step as matrix pictures with their numbers: the terms, their sum "
                 "a_t through f to h_t, and the output through g")
        st.caption("Each block is a matrix or vector with its numbers in the cells (red positive, blue negative; "
                   "h_t on the fixed scale of f's range, as on the other pages). The row of a cell is its hidden "
                   "unit: follow row j of $W_{xh}x_t$, $W_{hh}h_{t-1}$ and $b_h$ into $a_t[j]$, then through $f$.")
    with main_box:
        eq, plot = st.columns([3, 2])
        with eq:
            st.markdown(f"**{TERMS[cfg.look][0]}** with this step's numbers"
                        + (f" (units {', '.join(map(str, units))})" if units else "") + ":")
            with st.container(key=views.NUMBERS_KEY):  # the widest (H = 4, a product in full) scrolls
                st.html(views.NUMBERS_CSS)
                st.latex(numbers_tex)
        with plot:
            if not first:  # a first visit: the step's picture alone, f's chart on the rerun that follows its paint
                ui.chart(views.activation_view(s, units), key=f"{PREFIX}:f_chart",
                         alt="The hidden activation f with each entry of a_t marked at (a_t[j], h_t[j])")
    if unroll_box is not None:  # the tiny RNN's fold is open
        steps = views.unroll(tiny.weights, tiny.seq, cfg.f, cfg.g)
        with unroll_box:
            ui.chart(views.unroll_view(steps, cfg.t), key=f"{PREFIX}:unroll",
                     alt="Heatmap of h_1 to h_t and y_1 to y_t, units by steps, numbers in the cells")
            st.caption("From $h_0 = 0$, as on the other pages; colours on the same fixed scale as their heatmaps. "
                       "Each column is one step of the picture above, fed the column before.")
            try:
                alone, why = views.step_fields(steps, cfg.t), None
            except InputError as e:  # h_(t-1) is outside the editors' range: the button would lose the numbers
                alone, why = {}, str(e)
            st.button(f"Look at step {cfg.t} on its own above", icon=":material/zoom_in:", on_click=set_numbers,
                      args=(alone,), disabled=why is not None,
                      help=why or f"Sets x_t to x_{cfg.t} and h_(t-1) to h_{cfg.t - 1} of this unroll.")
    elif cfg.source == "review":
        with contrib_box:
            st.subheader("Where each a_t[j] comes from")
            ui.chart(views.contributions_view(rs, units), key=f"{PREFIX}:contrib",
                     alt="For each picked unit, a waterfall of b_h and the largest terms of a_t")
            st.caption(views.sums_caption(s.x.size, s.h.size)
                       + "$h_t[j]$ here is the cell of unit j at this word in Read a review's heatmap.")
