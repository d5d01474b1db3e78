"""Read a review: a trained RNN / LSTM / GRU reads the user's review word by word (h_t and y_t at every word)."""
import streamlit as st

from playground.state import limits
from playground.views import review
from playground.views.review import PREFIX, ReviewConfig
from playground.web import lecture as lecture_ui
from playground.web import links, paint, steady, ui

ui.require_navigation()
scene = lecture_ui.header("Read a review", PREFIX)  # a lecture scene: its bar, its settings, its sections first
box = lecture_ui.sections(review.SECTIONS, scene.focus if scene else ())
compact = scene is not None  # a scene's charts share the first screen with its bar
INTRO = ("A model trained on real movie reviews (IMDB) and review sentences (SST-2) reads your text one word at a time. "
         "After each word it updates its memory $h_t = f(W_{xh}x_t + W_{hh}h_{t-1} + b_h)$ and says how positive the "
         "review sounds so far, $y_t = \\sigma(W_{hy}h_t + b_y)$. ")  # under the chart: the chart on the first screen


def use_example() -> None:
    title = st.session_state.get(f"{PREFIX}:example")
    if title:
        st.session_state[ui.key(PREFIX, "text")] = review.EXAMPLES[title].text
        st.session_state[ui.key(PREFIX, "step")] = 0


def trim_text(name: str) -> None:
    k = ui.key(PREFIX, name)
    st.session_state[k], notice = review.trim(st.session_state[k])
    if notice:
        st.toast(notice, icon="✂️")


ui.init_config(ReviewConfig, PREFIX, link_wins=True)  # the calculator links back to a word
left, right = box["inputs"].columns([3, 1])
with ui.settings_box(right):
    st.radio("Model", list(review.MODEL_CHOICES), format_func=review.SHORT_CHOICES.get, key=ui.key(PREFIX, "model"),
             help=review.MODEL_HELP)
with left:  # the wide column: an example's title reads whole at 1024 px
    picker = st.container(horizontal=True, vertical_alignment="center")  # the examples and the model's card
    picker.selectbox("Example reviews", list(review.EXAMPLES), index=None, placeholder="Pick an example…",
                     key=f"{PREFIX}:example", on_change=use_example, label_visibility="collapsed")
    st.text_area("Your review", key=ui.key(PREFIX, "text"), height=68, on_change=trim_text, args=("text",),
                 placeholder=f"Type a movie review… (the model reads its first {review.CAP} words and marks)",
                 label_visibility="collapsed")  # the box says what it is: one row less above the chart

LAST_TEXT = ui.memory_key(PREFIX, "last_text")  # the text the page read last (a scene of the lecture forgets it)
text_now = st.session_state[ui.key(PREFIX, "text")]
T = review.n_tokens(text_now)
if T == 0:  # nothing to read: say so right under the box, and draw none of the empty panels
    ui.publish_config(ReviewConfig, PREFIX)
    box["inputs"].info(review.EMPTY_HINT)
    ui.stop_early(ReviewConfig, PREFIX, shown=("text", "model"))
step_key = ui.key(PREFIX, "step")
st.session_state.setdefault(LAST_TEXT, text_now)  # first visit: keep the link's step
if st.session_state[LAST_TEXT] != text_now or not 1 <= st.session_state.get(step_key, 0) <= T:
    st.session_state[step_key] = T  # a new review starts at its last word
st.session_state[LAST_TEXT] = text_now
slider_col, order_col = box["slider"].columns([3, 1])
with slider_col:
    if T >= 2:
        st.slider("Word t: the chart reads up to it, the panels below explain it",
                  1, T, key=step_key)
with order_col:
    st.toggle("Sort units", key=ui.key(PREFIX, "order"),
              help="Rows sorted by each unit's contribution W_hy·h_T to the final output: units pushing towards "
                   "positive on top, towards negative at the bottom.")
main_box, aids_box, text_box, gates_box, compare_box = (box[n] for n in ("main", "aids", "text", "gates", "compare"))
with text_box:
    st.subheader("The review, coloured word by word")
    c1, c2 = st.columns([2, 1])
    c1.radio("Colour each word by", list(review.COLOUR_BY), format_func=review.COLOUR_BY.get, horizontal=True,
             key=ui.key(PREFIX, "colour_by"))
    c2.number_input("Unit j of h_t", **limits(ReviewConfig, "unit"), step=1, key=ui.key(PREFIX, "unit"))
with compare_box:
    st.subheader("Compare two reviews", anchor=review.COMPARE_ANCHOR)
    st.toggle("Compare with a second review", key=ui.key(PREFIX, "compare"))
    if st.session_state[ui.key(PREFIX, "compare")]:
        st.text_area("Review B", key=ui.key(PREFIX, "text_b"), height=68, on_change=trim_text, args=("text_b",))
cfg = ui.publish_config(ReviewConfig, PREFIX)
card = review.card(cfg.model) if cfg.model != review.ALL else None
if card is not None:
    with picker.popover("How good?", icon=":material/fact_check:",  # floats: nothing below moves
                        help="How good is this model: its scores on reviews it never saw, and what it gets wrong."):
        st.markdown(review.card_markdown(card))

readings = []
with ui.friendly_errors():
    first = paint.first_run(PREFIX)
    steady.steady_charts()  # a word's slider or a typed review redraws the charts without a blank
    readings = [review.read(ui.shipped_model(name), cfg.text) for name in review.models_shown(cfg.model)]
    r = readings[0]
    order = review.unit_order(r) if cfg.order else None
    with main_box:
        for notice in r.notices:
            st.info(notice)
        for wrong in filter(None, (review.example_note(cfg.text, x) for x in readings)):
            st.warning(wrong)
        if len(readings) == 1:
            ui.chart(review.reading_view(r, cfg.step, order, compact=True), key=f"{PREFIX}:reading",
                     alt="Heatmap of the hidden state h_t, units by words, above the running sentiment y_t after "
                         "each word", height_factor=1)  # whole on a 1280x720 projector's first screen
        else:
            ui.chart(review.running_view(readings, cfg.step), key=f"{PREFIX}:running",
                     alt="y_t after each word for every model, one line each, on one chart")
    with box["explain"]:  # under the chart and its word slider
        for x, fig in zip(readings, review.all_models_view(readings, cfg.step, cfg.order) if len(readings) > 1 else []):
            ui.chart(fig, key=f"{PREFIX}:reading_{x.model}", alt=f"{x.model.upper()}: heatmap of the "
                     "hidden state h_t, units by words, above the running sentiment y_t")
        st.caption(("" if compact else INTRO) + "Top: every unit of $h_t$ after every word (colour fixed to the range "
                   "of tanh, −1..1). Bottom: $y_t$, the probability that the review is positive after each word. "
                   + ("▶ Play reveals the words one at a time; the slider picks the word the panels below explain."
                      if len(readings) == 1 else "The slider reveals the review up to word t in all three. They share "
                      "the colour scales and the word axis, but not their units: unit j of one model has nothing to "
                      "do with unit j of another."))
        with st.container():
            st.markdown("**The tokens as the model reads them** (dashed: not in its vocabulary, read as `<unk>`)")
            st.html(review.tokens_view(r))
        if not first:  # (a press between a first visit's two runs would ask for a file the second run replaced)
            ui.download("h_t and y_t at every word (CSV)", lambda rs=readings: review.hidden_table(rs),
                        f"read_a_review_h_t_y_t_{cfg.model}", key=f"{PREFIX}:csv",
                        help="One row per word: the token, y_t and every unit of h_t (a column each).")
if len(readings) > 1:  # all three: the panels below explain one model's step, the coloured text fits all three
    aids_box.info("The reading aids, the gates and the comparison explain one model: pick it in the Model list.")
    with text_box:
        for x in readings:
            st.markdown(f"**{review.MODEL_CHOICES[x.model]}**")
            st.html(review.text_view(x, cfg.colour_by, cfg.unit))
if len(readings) != 1:
    st.stop()
with ui.friendly_errors():
    sm = ui.shipped_model(cfg.model)
    with aids_box:
        a, b = st.columns(2)
        if not first:  # a first visit: the heatmap alone, these on the rerun that follows its paint
            ui.chart(review.changes_view(r, cfg.step), key=f"{PREFIX}:changes", where=a,
                     alt="The units of h_t that changed most at the selected word, before and after it")
            ui.chart(review.logit_view(r, cfg.step), key=f"{PREFIX}:logit", where=b,
                     alt="The output logit at the selected word split into the contributions of the units that weigh "
                         "most, the other units together, and the bias")
        if cfg.model == "rnn":
            t = review.clamp_step(cfg.step, r.T)
            a.page_link("pages/4_inside_one_step.py", label=f"Open word {t} in the calculator",
                        icon=":material/calculate:", query_params=ui.link_params(links.calculator_params(cfg.text, t)),
                        help="Inside one step: this word's step of the RNN, term by term, to check h_t by hand.")
    with text_box:
        st.html(review.text_view(r, cfg.colour_by, cfg.unit))
    gates = review.gates_view(r, cfg.step, order)
    if gates is not None:
        with gates_box:
            st.subheader(f"Inside the {r.cell.upper()}: gates" + (" and cell state" if r.c is not None else ""))
            ui.chart(gates, key=f"{PREFIX}:gates", alt="Gate activations and cell state per word, units by words")
    if cfg.compare and not review.n_tokens(cfg.text_b):
        compare_box.info("Type a second review in Review B to compare the two.")
    elif cfg.compare:
        with box["compare_charts"]:
            rb = review.read(sm, cfg.text_b)
            for notice in rb.notices:
                st.info(f"Review B: {notice}")
            fig_a, fig_b = review.compare_view(r, rb, order, compact=compact)
            ca, cb = st.columns(2)
            ui.chart(fig_a, key=f"{PREFIX}:compare_a", where=ca,
                     alt="Review A: hidden state heatmap and running sentiment")
            ui.chart(fig_b, key=f"{PREFIX}:compare_b", where=cb,
                     alt="Review B: hidden state heatmap and running sentiment, on the same scales as review A")
            st.caption("Same model, same colour scale, same unit order (review A's) and the same word axis.")
            ui.download("h_t and y_t of both reviews (CSV)",
                        lambda rs=(r, rb): review.hidden_table(list(rs), ["A", "B"]),
                        f"read_a_review_h_t_y_t_{cfg.model}_A_and_B", key=f"{PREFIX}:csv_ab")
