"""Pure builders of the review page: shapes, axis order, colour ranges, playback, escaping."""
import json
import math

import numpy as np
import pytest
import plotly.colors as pcolors
import plotly.graph_objects as go

from playground.figures import review as rf
from playground.figures.style import GATE_INFO
from playground.figures.style import DIVERGING

TOKENS = ["not", "<b>", "good", "not", "good"]
OOV = [False, True, False, False, False]
H, T = 3, len(TOKENS)


def reading(step=2, **kw):
    z = np.linspace(-1, 1, H * T).reshape(H, T)
    y = np.array([0.4, 0.4, 0.2, 0.3, 0.1])
    return rf.reading_figure(TOKENS, OOV, z, ["h[2]", "h[0]", "h[1]"], (-1.0, 1.0), y, step, "lstm",
                             contrib=np.array([0.5, 0.1, -0.3]), **kw), z, y


def test_heatmap_is_units_by_words_in_reading_order_with_the_tanh_range():
    fig, z, _ = reading()
    heat = fig.data[0]
    assert heat.type == "heatmap" and np.array_equal(np.asarray(heat.z), z)
    assert list(heat.x) == [1, 2, 3, 4, 5] and list(heat.y) == ["h[2]", "h[0]", "h[1]"]
    assert (heat.zmin, heat.zmax, heat.zmid, heat.colorscale[0][1]) == (-1, 1, 0, "rgb(5,48,97)")
    ticks = list(fig.layout.xaxis2.ticktext)
    assert ticks[0] == "not" and ticks[2] == "good" and ticks[3] == "not"  # repeated words keep their place
    assert "&lt;b&gt;" in ticks[1] and "<b>" not in ticks[1]
    assert ticks[1].startswith("<i") and not ticks[0].startswith("<i")  # the unknown word is marked
    assert "word" in heat.hovertemplate and "unit" in heat.hovertemplate and "h_t" in heat.hovertemplate
    assert heat.customdata[0][1][0] == "<b>"  # hover shows the word (Plotly escapes customdata itself)


def test_sentiment_line_sits_under_the_heatmap_on_the_same_word_axis():
    fig, _, y = reading()
    line = next(t for t in fig.data if t.name == "y_t")
    assert line.type == "scatter" and list(line.x) == [1, 2, 3, 4, 5] and np.allclose(line.y, y)
    assert line.xaxis == "x2" and fig.layout.xaxis.matches == "x2"  # shared x: zoom one, both follow
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]  # below the heatmap
    lo, hi = fig.layout.yaxis2.range
    assert lo < 0 and hi > 1  # the whole 0..1 probability range, always


def test_playback_hides_words_after_the_step_and_frames_reveal_one_word_each():
    fig, _, _ = reading(step=2)
    cover = fig.layout.shapes[0]
    assert cover.fillcolor == rf.COVER and cover.x0 == 2.5 and cover.x1 == T + 0.5
    outline = fig.layout.shapes[1]
    assert (outline.x0, outline.x1) == (1.5, 2.5)
    assert len(fig.frames) == T
    for k, frame in enumerate(fig.frames, start=1):
        moved, framed = frame.layout.shapes  # frames move the cover, shapes[0], and show the outline, shapes[1], once
        assert moved.fillcolor == rf.COVER and moved.x0 == k + 0.5  # its word is revealed (only that: it stays put)
        assert framed.visible is (k >= 2) and framed.x0 is None
    assert fig.frames[-1].layout.shapes[0].x0 == fig.frames[-1].layout.shapes[0].x1  # all words shown at the end
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    sent = json.loads(fig.to_json())  # what st.plotly_chart sends carries the frames, and they are valid Plotly
    assert [f["name"] for f in sent["frames"]] == [str(k) for k in range(1, T + 1)]
    assert len(go.Figure(sent).frames) == T
    last, _, _ = reading(step=T, play=False)
    assert not last.frames and last.layout.shapes[0].x0 == last.layout.shapes[0].x1


def test_changes_figure_shows_before_and_after():
    fig = rf.changes_figure(["h[4]", "h[1]"], np.array([-0.5, 0.2]), np.array([0.7, -0.1]), "good", 3, (-1.0, 1.0))
    assert list(fig.data[1].x) == [-0.5, 0.2] and list(fig.data[2].x) == [0.7, -0.1]
    assert list(fig.data[2].y) == ["h[4]", "h[1]"] and fig.layout.xaxis.range[0] < -1


def test_logit_waterfall_ends_in_the_total():
    vals = np.array([0.8, -0.3, -1.1])
    fig = rf.logit_figure(["h[0]", "h[2]", "h[1]"], vals, 0.25, vals.sum() + 0.25, 0.4, "<i>", 2)
    wf = fig.data[0]
    assert list(wf.y) == ["h[0]", "h[2]", "h[1]", "b_y", "z_t"] and wf.measure[-1] == "total"
    assert sum(wf.x[:-1]) == pytest.approx(vals.sum() + 0.25)
    assert "&lt;i&gt;" in fig.layout.title.text
    assert wf.orientation == "h" and fig.layout.yaxis.autorange == "reversed"  # read top to bottom


def test_logit_waterfall_draws_the_units_that_weigh_most_and_sums_the_others():
    vals = np.array([3.0, 0.5, 0.1, -0.2, -0.05, -2.0])  # largest first, as logit_split gives them
    labels = [f"h[{j}]" for j in (5, 1, 4, 0, 3, 2)]
    fig = rf.logit_figure(labels, vals, -0.3, vals.sum() - 0.3, 0.9, "good", 3, most=3)
    wf = fig.data[0]
    assert list(wf.y) == ["h[5]", "h[1]", "h[2]", "other 3 units", "b_y", "z_t"]  # |3|, |0.5|, |-2| kept, in order
    assert list(wf.x[:-1]) == pytest.approx([3.0, 0.5, -2.0, 0.1 - 0.2 - 0.05, -0.3])
    assert sum(wf.x[:-1]) == pytest.approx(vals.sum() - 0.3)  # the total is still z_t
    assert fig.layout.yaxis.tickfont.size == 13
    full = rf.logit_figure([f"h[{j}]" for j in range(32)], np.linspace(2, -2, 32), 0.0, 0.0, 0.5, "w", 1)
    assert len(full.data[0].y) == rf.LOGIT_UNITS + 3 and full.layout.yaxis.tickfont.size == 13  # 32 units: readable


def test_gates_figure_uses_each_gates_range():
    rng = np.random.default_rng(0)
    panels = {"i": rng.random((H, T)), "g": rng.uniform(-1, 1, (H, T)), "c": rng.normal(0, 3, (H, T))}
    fig = rf.gates_figure(TOKENS, panels, ["h[0]", "h[1]", "h[2]"], "lstm", 2)
    i, g, c = fig.data
    assert (i.zmin, i.zmax) == (0, 1) and (g.zmin, g.zmax, g.zmid) == (-1, 1, 0)
    m = float(np.abs(panels["c"]).max())
    assert (c.zmin, c.zmax) == (-m, m)
    titles = [a.text for a in fig.layout.annotations][:3]
    assert titles == [GATE_INFO[k][0] for k in "igc"]  # the one gate table the whole app uses
    assert all(t.startswith(name) for name, t in zip(("input gate i", "candidate g", "cell state c"), titles))


def test_colour_maps_the_range_ends_to_the_scale_ends():
    reds = pcolors.sample_colorscale(DIVERGING, [0.0, 1.0])
    assert rf.colour(0.0, rf.SENTIMENT) == reds[0] and rf.colour(1.0, rf.SENTIMENT) == reds[1]
    assert rf.colour(5.0, rf.SENTIMENT) == reds[1] and rf.colour(math.nan, rf.SENTIMENT) == rf.colour(0.5, rf.SENTIMENT)


def test_coloured_text_and_chips_escape_everything():
    html = rf.coloured_text_html(["<script>", "ok"], np.array([0.1, 0.9]), rf.SENTIMENT, "P(positive)")
    assert "<script>" not in html and "&lt;script&gt;" in html and html.count("<span") >= 2
    chips = rf.token_chips_html(["'\"><img src=x>", "fine"], [True, False])
    assert "<img" not in chips and "dashed" in chips and chips.count("dashed") == 1


def test_every_builder_makes_a_figure_plotly_accepts():
    """The builders skip Plotly's checks for speed: the validating constructor must accept what they make."""
    import plotly.graph_objects as go

    rng = np.random.default_rng(1)
    figs = [reading()[0], reading(step=T, play=False, title="t", width_words=9)[0],
            rf.changes_figure(["h[1]"], np.array([0.1]), np.array([0.5]), "w", 1, (-1.0, 1.0)),
            rf.logit_figure(["h[0]"], np.array([0.3]), 0.1, 0.4, 0.6, "w", 1),
            rf.gates_figure(TOKENS, {"r": rng.random((H, T)), "z": rng.random((H, T)), "n": rng.random((H, T))},
                            ["a", "b", "c"], "gru", 1)]
    for fig in figs:
        checked = go.Figure(fig.to_dict())  # raises ValueError on any invalid property
        assert checked.layout.template.layout.paper_bgcolor == "white"  # the shared plotly_white style arrived
        for trace in fig.to_dict()["data"]:
            if trace["type"] == "heatmap":
                assert isinstance(trace["colorscale"], list)  # spelt out: plotly.js does not know "RdBu_r"


@pytest.mark.parametrize("n,every", [(28, 1), (29, 2), (200, 8)])
def test_a_long_review_labels_every_kth_word_and_still_names_all_on_hover(n, every):
    words = [f"w{i}" for i in range(n)]
    fig = rf.reading_figure(words, [False] * n, np.zeros((2, n)), ["h[0]", "h[1]"], (-1.0, 1.0), np.full(n, 0.5),
                            n, "rnn")
    axis = fig.layout.xaxis2
    assert list(axis.tickvals) == list(range(1, n + 1, every)) and len(axis.tickvals) <= rf.MAX_WORD_LABELS
    assert list(axis.ticktext) == words[::every]
    assert [c[0] for c in fig.data[0].customdata[0]] == words  # the heatmap's hover names every word


def test_a_short_review_on_a_longer_shared_axis_is_labelled_at_the_same_spacing():
    """Compare view: review B (10 words) on review A's 20-word axis, 12 labels at most across the axis."""
    words = [f"w{i}" for i in range(10)]
    fig = rf.reading_figure(words, [False] * 10, np.zeros((2, 10)), ["h[0]", "h[1]"], (-1.0, 1.0), np.full(10, 0.5),
                            10, "rnn", width_words=20, most_labels=12)
    assert list(fig.layout.xaxis2.tickvals) == [1, 3, 5, 7, 9] and list(fig.layout.xaxis2.range) == [0.5, 20.5]


def test_word_labels_slant_only_as_far_as_the_drawn_width_needs_and_fit_whole():
    axis = rf._word_axis([f"word{i}" for i in range(40)], [False] * 40, 40)
    assert "tickangle" not in axis  # plotly.js picks: 0, else -45, else upright (never overlapping)
    assert axis["autotickangles"] == [0, -45, -90] and axis["automargin"] is True
    assert len(axis["ticktext"]) <= rf.MAX_WORD_LABELS


@pytest.mark.parametrize("H", [8, 32, 64])
def test_the_reading_block_fits_one_1280x720_screen(H):
    fig = rf.reading_figure(["a", "b", "c"], [False] * 3, np.zeros((H, 3)), [f"h[{j}]" for j in range(H)],
                            (-1.0, 1.0), np.array([0.2, 0.5, 0.9]), 2, "rnn")
    assert fig.layout.height <= rf.READING_HEIGHT <= 720 - 100  # 100 px: Streamlit's header and some air
