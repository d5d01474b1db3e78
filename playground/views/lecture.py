"""The guided lecture: scenes across the four pages, each a page plus settings (so a link) and what to say.

A scene is opened by its link: the page's settings in the page's own URL form (state.to_params) plus
`scene=<number>`, which is not a setting of any page and which ui.publish_config keeps in the URL. Numbers
start at 1, as the tour shows them. tests/views/test_lecture.py checks each scene's claim with the functions the page
calls. No Streamlit here: lecture_ui.py draws the tour.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

from playground.views.classroom import link_params  # the app's classroom mode: scene links carry it
from playground.views import gates, onestep, review
from playground.views.gates import GatesConfig
from playground.training.live_config import LiveConfig
from playground.views.onestep import OneStepConfig
from playground.views.pages import PAGES, SCENE, app_root, url_for
from playground.views.review import ReviewConfig
from playground.state import check, to_params

SECTIONS = {"review": review.SECTIONS, "gates": gates.SECTIONS, "onestep": onestep.SECTIONS, "train": ()}
CONFIGS: dict[str, type] = {"review": ReviewConfig, "train": LiveConfig, "gates": GatesConfig,
                            "onestep": OneStepConfig}
PREPARED = {"gates": gates.untrained_views}  # a page's first shared views for a config: computed before a class comes

# Numbers the scripts quote, kept here so that script, settings and test read the same ones.
GOOD, NOT_GOOD = "This movie is good.", "This movie is not good."
NEVER_DULL = "never dull"  # a classic the lesson's RNN still misreads, just (the LSTM and the GRU read it right)
TURN = "The acting is great, but the story is boring."
SATURATING_W_xh = "4,-3;-3,4;5,2"  # x_t = (1, -0.5) makes every a_t[j] far from 0: 6.65, -5.69, 4.05
EXPLODE_LR = 0.3  # counting with ReLU, plain SGD, no clipping: blew up at steps 3-4 for seeds 0-4
EXPLODE_WITHIN, CLIPPED_STEPS = 10, 500  # the explode scene's claim: blown up by the first, trained on for the second
COLD, HOT = 0.2, 2.0  # the two sampling temperatures of the text scene
TEXT_STEPS, TEXT_TICK = 100, 50  # how long the text scene trains before sampling: Step pressed TEXT_STEPS / TEXT_TICK times
VANISH_T = 60  # gradient-flow length of the vanishing scene
RACE_DELAYS, RACE_STEPS = "5, 20", 150


@dataclass(frozen=True)
class Scene:
    title: str
    page: str  # the page's key in playground.views.pages (its config prefix)
    changes: dict[str, Any]  # the page's config fields that differ from its defaults
    script: str  # one paragraph: what to do, what to say, what the audience will see
    claim: str  # what tests/views/test_lecture.py checks, in a sentence
    focus: tuple[str, ...] = ()  # the page's sections (its SECTIONS) drawn first, right under the scene's bar


SCENES: list[Scene] = [
    Scene("The two equations in one step", "onestep", dict(look="a"),
          f"A tiny RNN with {OneStepConfig().hidden} hidden units and {OneStepConfig().inputs} inputs, every number "
          "on screen. Point at one row: W_xh x_t, "
          "W_hh h_(t-1) and b_h add up to a_t; tanh squashes a_t into h_t; W_hy h_t + b_y through the sigmoid is "
          "y_t. Click the terms above the picture to highlight each in turn. The audience sees that one unit's a_t "
          "is far out on tanh's flat part (its h_t is nearly 1), one sits in the straight middle and one is "
          "clearly negative.",
          "a_t, h_t and y_t equal the sums written out by hand; unit 0 saturates (h_t > 0.95), unit 1 stays in "
          "tanh's middle (|a_t| < 0.5), unit 2 is clearly negative.", focus=("step",)),
    Scene("“good” and “not good”", "review", dict(model="gru", text=GOOD, compare=True, text_b=NOT_GOOD),
          f"The GRU reads review A, “{GOOD}”, beside review B, “{NOT_GOOD}” Ask the room what the one extra word will do. The "
          "audience sees both reviews start alike, word for word the same colours, then part: the first ends near "
          "certain positive, the second near certain negative. All three models read these two right. Then type "
          f"“{NEVER_DULL}” and switch the model: the GRU and the LSTM end positive, the lesson's RNN ends just "
          "below the line. Say: it has learnt that “dull” is negative better than what “never” does to the word "
          "after it.",
          "The GRU's last y_t is above 0.9 for the first review and below 0.2 for the second; every model reads both "
          f"right; on “{NEVER_DULL}” the LSTM and the GRU end above 0.7, the RNN just below 0.5 (near 0.47).",
          focus=("compare_charts",)),
    Scene("Where h_t flips: at “not”", "review", dict(model="gru", text=NOT_GOOD, step=4),
          "The same negative review alone, with the slider at word 4, “not”. The heatmap's column for “not” is "
          "where the colours change most, and the chart of the units that changed most shows it unit by unit: "
          "the network has changed its mind before it has even seen “good”. y_t, near one half before it, falls "
          "most at that very word.",
          "The largest change of h_t, ‖h_t − h_(t−1)‖, is at “not”, at least 1.5 times any other word's; "
          "y_t is between 0.4 and 0.6 before “not”, its largest fall is at “not”, and it is below 0.3 after it.",
          focus=("slider", "main")),
    Scene("A “but” turn", "review", dict(model="all", text=TURN),
          f"All three models read “{TURN}” stacked on the same scales. The praise comes first, and y_t is high "
          "for every model after “great”; “but” may shake it (the RNN's dips there), yet every model's steepest fall "
          "comes at “boring”. Say: what "
          "comes after “but” wins, and the models have learnt that the last clause carries the verdict.",
          "For the RNN, the LSTM and the GRU, y_t is above 0.7 after “great” and below 0.2 at the end; each one's "
          "largest fall of y_t is at “boring”.", focus=("slider", "main")),
    Scene("Sigmoid f saturates", "onestep", dict(f="sigmoid", W_xh=SATURATING_W_xh, look="h"),
          "The same tiny RNN with f = sigmoid and larger input weights W_xh. Every a_t[j] now lands far from 0, "
          "and the chart of f (beside the numbers) shows each unit on the sigmoid's flat arms: h_t is pinned near 0 or 1. "
          "Say: there the slope f'(a_t) is almost 0, so nudging the input barely moves h_t, and a gradient passing "
          "back through this step is multiplied by almost nothing; this is why the sigmoid RNN forgets fastest "
          "(the “Vanishing gradient” scene).",
          "Every unit's h_t is within 0.02 of 0 or 1 and f'(a_t) = h_t(1 − h_t) < 0.02, under a tenth of the "
          "sigmoid's largest slope 0.25; with the page's default W_xh the same step leaves a unit below 0.9.",
          focus=("main",)),
    Scene("ReLU explodes; clipping saves it", "train",
          dict(task="counting", length=10, f="relu", g="identity", hidden=32, optimizer="sgd", lr=EXPLODE_LR,
               clip=False),
          f"Counting with f = ReLU, plain SGD at learning rate {EXPLODE_LR:g} and no clipping. Press Play: within "
          f"{EXPLODE_WITHIN} steps the loss shoots up and the run stops with “exploded”; ReLU's h_t has no ceiling, and one big "
          "step throws the weights out. Now press “Turn Clipping on” under the message (the same switch is in the "
          "settings, under Training) and press Play: the run goes back to before the blow-up and the same model, "
          "from the same start, trains on: the held-out loss falls instead.",
          f"Without clipping the run blows up within {EXPLODE_WITHIN} steps; after Clipping on and {CLIPPED_STEPS} "
          "steps of Play it has not blown up and its held-out loss is below half the untrained model's (several "
          "seeds)."),
    Scene("Softmax g writes text at two temperatures", "train",
          dict(task="text", g="softmax", hidden=32, lr=0.01, temperature=COLD, steps_per_tick=TEXT_TICK),
          f"The RNN learns the next character of a nursery rhyme; g is the softmax over the characters. Press Step "
          f"{TEXT_STEPS // TEXT_TICK} times (each trains {TEXT_TICK} steps: {TEXT_STEPS} in all), then press “Generate 200 characters” at temperature "
          f"{COLD:g}: it repeats the rhyme's likeliest words. Slide the temperature to {HOT:g} and generate again: "
          "the same model now samples unlikely characters too, and the text falls apart into made-up words. "
          "Temperature divides the logits before the softmax: low sharpens it, high flattens it.",
          f"After {TEXT_STEPS} steps, at {HOT:g} more of the sampled words are not in the rhyme than at {COLD:g} "
          "(by 0.2 or more of all words; several seeds)."),
    Scene("Vanishing gradient: RNN vs GRU", "gates", dict(T=VANISH_T),
          f"The first chart: the gradient of the loss at the last of {VANISH_T} steps, as it travels back to each "
          "earlier step, on a log scale. Follow the RNN (tanh) line: a straight line, it falls by about the same "
          "factor at every step, to less than a billionth by step 1, so the first steps get nothing to learn from "
          "(the sigmoid and ReLU lines fall off the chart). The GRU's line falls only gently, a few percent is left at step 1: its update gate "
          "copies h_(t−1) forward, and the gradient rides back on that copy. The summary under the chart gives the "
          "numbers.",
          "At initialisation the gradient at step 1 is below 1e-9 of the one at the last step for every RNN, over "
          "1% for the GRU; 20 steps back the RNN keeps under 1% of the GRU's share; the RNN (tanh)'s factor per "
          "step varies by less than 1.6x along its line; the sigmoid and ReLU lines leave the chart's floor "
          "(several seeds)."),
    Scene("The race at delay 20", "gates", dict(race_delays=RACE_DELAYS, race_steps=RACE_STEPS),
          f"Press “Start the race”: the RNN, the LSTM and the GRU train {RACE_STEPS} steps "
          "each on the same batches, to recall the first of a sequence's symbols after 5 and after 20 distractor "
          "digits. Look at delay 20: the RNN's point sits near the dotted line, guessing, while a gated cell still "
          "gets most sequences right. This is the vanishing gradient of the previous scene, seen as a result: the "
          "RNN gets no signal back to the symbol 20 steps ago.",
          "At delay 20 the RNN scores below 50% and the better gated cell at least 40 points more (several seeds).",
          focus=("race",)),
]


def count() -> int:
    return len(SCENES)


def scene(number: int) -> Scene:
    """Scene `number`, counted from 1."""
    return SCENES[number - 1]


def page_of(number: int):
    """The PageInfo of scene `number`'s page."""
    return next(p for p in PAGES if p.key == scene(number).page)


def scene_config(number: int) -> Any:
    """The page's config of scene `number`: its defaults with the scene's changes."""
    s = scene(number)
    return dataclasses.replace(CONFIGS[s.page](), **s.changes)


def scene_params(number: int, classroom: bool = False) -> dict[str, str]:
    """The query parameters of scene `number`: every setting of its page, the scene, and classroom=1 if asked."""
    return link_params({**to_params(scene_config(number)), SCENE: str(number)}, classroom)


def scene_url(number: int, classroom: bool = False) -> str:
    """Scene `number`'s link relative to the app's address: "read_a_review?text=...&scene=2"."""
    return f"{url_for(scene(number).page)}?{urlencode(scene_params(number, classroom))}"


def full_url(base: str, number: int, classroom: bool = False) -> str:
    """Scene `number`'s whole link; `base` is st.context.url of any page of the app (or the app's address)."""
    return f"{app_root(base)}/{scene_url(number, classroom)}"


def scene_from_params(params: Mapping[str, str], page: str | None = None) -> int | None:
    """The scene a URL's parameters name (None: none, a bad number, or a scene of another page than `page`)."""
    raw = params.get(SCENE)
    try:
        number = int(raw) if raw is not None else None
    except ValueError:
        return None
    if number is None or not 1 <= number <= count():
        return None
    return number if page is None or scene(number).page == page else None


def problems() -> list[str]:
    """What is wrong with the scenes: unknown fields, values the page would refuse (empty: all fine)."""
    out = []
    for n, s in enumerate(SCENES, 1):
        fields = {f.name for f in dataclasses.fields(CONFIGS[s.page])}
        unknown = set(s.changes) - fields
        if unknown:
            out.append(f"scene {n}: no such setting {', '.join(sorted(unknown))}")
            continue
        out += [f"scene {n}: {p}" for p in check(scene_config(n))]
        out += [f"scene {n}: the page has no section {name}" for name in s.focus if name not in SECTIONS[s.page]]
    return out

