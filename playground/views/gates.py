"""The "Why LSTM & GRU" page: its settings (all in the URL) and one function per view, built on gradflow and race.

Every number a view shows is computed here from the models and the runs of this session (the page keeps
them across reruns); none is read from a file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import plotly.graph_objects as go

from playground.figures import gates as figs
from playground.figures.style import GATE_INFO
from playground.lesson.cells import CELLS, RecurrentModel
from playground.lesson.equations import hidden_equation  # noqa: F401 - the page writes the picked model's equation
from playground.state import choice, number, text
from playground.training import race
from playground.training.gradflow import (CONTENDERS, INITS, FlowSetup, gate_activity, grad_norms, jacobian_norms,
                                          spectrum)
from playground.training.race import (MAX_DELAY, MAX_DELAYS, MODES, SYMBOLS, TASK, RaceResult,  # noqa: F401
                                      RaceSettings, lineup, parse_delays)
from playground.training.trainer import MAX_HIDDEN

if TYPE_CHECKING:  # pandas only when a table is downloaded (a server that never makes one never loads it)
    import pandas as pd

PREFIX = "gates"
FLOW_VIEW, EIGEN_VIEW = f"{PREFIX}:flow_view", f"{PREFIX}:eigen_view"  # names of the page's shared views
RACE_VIEW, BOOM_VIEW = f"{PREFIX}:race_view", f"{PREFIX}:boom_view"  # ...and of its shared runs' figures
RACE_ANCHOR = "race"  # the race's section (its header's anchor)
SECTIONS = ("flow", "race", "gates")  # the page's sections top to bottom (a lecture scene may draw one first)


@dataclass(frozen=True)
class GatesConfig:
    """Settings of the "Why LSTM & GRU" page (each round-trips through the URL)."""

    T: int = number(40, 2, 201)
    hidden: int = number(16, 1, MAX_HIDDEN)
    init: str = choice("default", list(INITS))
    scale: float = number(1.0, 0.1, 4.0)
    memory_bias: float = number(3.0, -3.0, 6.0)
    seed: int = number(0, 0, 9999)
    train_steps: int = number(300, 10, 1000)
    inspect: str = choice("rnn_tanh", list(CONTENDERS))
    boom: str = choice("rnn_relu", list(CONTENDERS))
    # Measured (bench/robustness.py, seeds 0-9): at T = 40 the unclipped run blows up at its first update and the
    # clipped one trains all BOOM_STEPS; at 2.0 whether it blew up, and when, depended on the seed.
    boom_scale: float = number(2.5, 0.1, 4.0)
    # At 0.5 the clipped run's loss came down to 2.07-2.47 (guessing: 2.08) for seeds 0-7, from 465 to 9e11 at its first
    # step; at 0.01 it was still at 8e3 after BOOM_STEPS for seed 0 and looked as if clipping had failed.
    boom_lr: float = number(0.5, 0.001, 1.0)
    clip: float = number(1.0, 0.01, 100.0)
    race_delays: str = text("5, 10, 20, 40", 60)
    race_mode: str = choice("width", list(MODES))
    race_hidden: int = number(16, 2, MAX_HIDDEN)
    race_steps: int = number(300, 25, 1500)

    def setup(self) -> FlowSetup:
        return FlowSetup(self.T, self.hidden, self.init, self.scale, self.memory_bias, self.seed)

    def race_settings(self) -> RaceSettings:
        return RaceSettings(parse_delays(self.race_delays), self.race_mode, self.race_hidden, self.race_steps,
                            self.seed, memory_bias=self.memory_bias)


BOOM_STEPS = 150
JACOBIAN_PROBES = 8  # the Jacobian chart averages the first few probe sequences (one backward pass per unit)
LABELS = {k: c.label for k, c in CONTENDERS.items()}


def _trained(setup: FlowSetup, key: str, trained: dict | None) -> RecurrentModel | None:
    if not trained or key not in trained:
        return None
    model = setup.model(key)
    model.load_state_dict(trained[key]["state"])
    return model.eval()


@dataclass
class FlowView:
    grads: go.Figure  # ||dL/dh_t|| of the five, at init (solid) and trained (dashed)
    jacobians: go.Figure  # ||dh_T/dh_t|| of the five
    reach: dict[str, tuple[float, float | None]]  # label -> ||dL/dh_1|| / ||dL/dh_T|| at init, trained
    rows: list[dict] = field(repr=False)  # both figures' curves: model, weights (initial | trained), t, the two norms

    @property
    def table(self) -> pd.DataFrame:
        """The rows as a table, for download (pandas is loaded here, when one is asked for)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["model", "weights", "t", "grad_norm", "jacobian_norm"])


def flow_view(setup: FlowSetup, trained: dict | None = None) -> FlowView:
    """Gradient flow of the five contenders on the probe batch; `trained` is train_contenders' result."""
    probe = setup.probe()
    t = list(range(1, setup.T + 1))
    grads, jac, grads_tr, jac_tr, reach = {}, {}, {}, {}, {}
    for key in CONTENDERS:
        grads[key] = grad_norms(setup.model(key), probe.x, probe.y)
        jac[key] = jacobian_norms(setup.model(key), probe.x[:JACOBIAN_PROBES])
        model = _trained(setup, key, trained)
        if model is not None:
            grads_tr[key] = grad_norms(model, probe.x, probe.y)
            jac_tr[key] = jacobian_norms(model, probe.x[:JACOBIAN_PROBES])
        reach[LABELS[key]] = (_reach(grads[key]), _reach(grads_tr[key]) if key in grads_tr else None)
    rows = [{"model": LABELS[key], "weights": weights, "t": step, "grad_norm": float(g[i]), "jacobian_norm": float(j[i])}
            for weights, gs, js in (("initial", grads, jac), ("trained", grads_tr, jac_tr))
            for key, g in gs.items() for j in [js[key]] for i, step in enumerate(t)]
    suffix = " (trained)"
    return FlowView(
        figs.norm_curves(t, grads, LABELS, grads_tr, suffix, y_title="‖∂L/∂h<sub>t</sub>‖ (log scale)",
                         title=f"Gradient of the last-step loss reaching step t (T = {setup.T})"),
        figs.norm_curves(t, jac, LABELS, jac_tr, suffix, y_title="‖∂h<sub>T</sub>/∂h<sub>t</sub>‖ (log scale)",
                         title="Jacobian product ∂h<sub>T</sub>/∂h<sub>t</sub> (largest singular value)"),
        reach, rows)


def _reach(norms: np.ndarray) -> float:
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else math.nan


def untrained_views(cfg: "GatesConfig") -> dict[str, tuple[tuple, Callable[[], object]]]:
    """The shared views the page draws first for settings `cfg` before any training, as it asks for them: name ->
    (key, compute). What a lecture computes before its class arrives (web/lecture.prepare_next)."""
    setup = cfg.setup()
    return {FLOW_VIEW: ((setup, None), lambda: flow_view(setup)),
            EIGEN_VIEW: ((setup, cfg.inspect, None), lambda: eigen_view(setup, cfg.inspect))}


def eigen_view(setup: FlowSetup, key: str, trained: dict | None = None
               ) -> tuple[go.Figure, dict[tuple[str, str], float]]:
    """W_hh's eigenvalues (each gate block) for one contender, at init and trained; radius per (block, when)."""
    spec = spectrum(setup.model(key))
    blocks = dict(spec.blocks)
    radius = {(k, "at init"): v for k, v in spec.radius.items()}
    model = _trained(setup, key, trained)
    if model is not None:
        spec_tr = spectrum(model)
        blocks.update({f"{k} (trained)": v for k, v in spec_tr.blocks.items()})
        radius.update({(k, "trained"): v for k, v in spec_tr.radius.items()})
    return figs.eigenvalues(blocks, title=f"Eigenvalues of W_hh: {LABELS[key]}"), radius


def gates_view(setup: FlowSetup, cell: str, trained: dict | None = None) -> tuple[go.Figure, bool]:
    """Gate heatmaps of the LSTM or GRU reading probe sequence 0: (figure, whether the weights are trained)."""
    model = _trained(setup, cell, trained)
    is_trained = model is not None
    model = model if is_trained else setup.model(cell)
    probe = setup.probe()
    act = gate_activity(model, probe.x, 0)
    tokens = TASK.token_labels(probe.x[0])
    title = f"{CELLS[cell].label} {'after training' if is_trained else 'at initialisation'}: " \
            f"{tokens[0]}, then {len(tokens) - 1} distractors"
    ranges = {k: act.h_range if k == "h" else GATE_INFO[k][1] for k in act.rows}
    titles = {k: GATE_INFO[k][0] for k in act.rows}
    return figs.gate_heatmaps(act.rows, ranges, tokens, titles, title=title), is_trained


def clipping_view(runs: dict[str, dict]) -> go.Figure:
    return figs.training_runs({k: {"loss": r["loss"], "grad_norm": r["grad_norm"]} for k, r in runs.items()},
                              {k: r["diverged_at"] for k, r in runs.items()},
                              title="The same model, with and without<br>gradient clipping (plain SGD)")


def _fraction(v: float | None) -> str:
    if v is None:
        return "n/a"
    if not math.isfinite(v):
        return "overflow (the values left float32's range: they exploded)"
    return "0 (below float32's smallest number)" if v == 0 else f"{v:.1e}" if v < 0.01 or v >= 100 else f"{v:.2f}"


def reach_summary(reach: dict[str, tuple[float, float | None]], T: int) -> str:
    """One line per contender: ||dL/dh_1|| / ||dL/dh_T|| at init (and after training), as measured."""
    lines = [f"**Measured on these {T} steps: the gradient that reaches t = 1, as a fraction of the one at t = T**"]
    for label, (init, trained) in reach.items():
        after = "" if trained is None else f" → after training {_fraction(trained)}"
        lines.append(f"- {label}: {_fraction(init)} at initialisation{after}")
    return "\n".join(lines)


def flow_settings_label(T: int, hidden: int, init: str, scale: float, memory_bias: float, seed: int) -> str:
    """The folded settings of the gradient-flow charts, labelled with their values (what the charts show, unfolded
    or not)."""
    return (f"Settings: T = {T}, H = {hidden}, W_hh {INITS[init].label.split(' (')[0]} × {scale:g}, "
            f"memory-gate bias {memory_bias:g}, seed {seed}")


def stale_training_note(trained: FlowSetup, steps: int, now: FlowSetup) -> str:
    """Why the dashed "trained" curves are gone: the last training run had other settings than these (changed by
    hand, or by the lecture's next scene). Names what differs, so that nobody wonders what they changed."""
    def parts(s: FlowSetup) -> list[str]:
        return flow_settings_label(s.T, s.hidden, s.init, s.scale, s.memory_bias, s.seed).split(": ", 1)[1].split(", ")

    differ = [part for part, here in zip(parts(trained), parts(now)) if part != here]
    return (f"The dashed “trained” curves are hidden: the last training run ({steps} steps) was at "
            f"{', '.join(differ) or 'other settings'}. Press **Train all five** to train at these.")


def inspect_settings_label(key: str) -> str:
    """The eigenvalue plot's folded setting (a room's follower), labelled with its value."""
    return f"Settings: the eigenvalues of {CONTENDERS[key].label}"


def boom_settings_label(key: str, scale: float, lr: float, clip: float) -> str:
    """The exploding-gradient run's folded settings (a room's follower), labelled with their values."""
    return f"Settings: {CONTENDERS[key].label}, W_hh orthogonal × {scale:g}, SGD learning rate {lr:g}, clip at {clip:g}"


def race_settings_label(delays: str, mode: str, hidden: int, steps: int) -> str:
    """The race's folded settings (a room's follower), labelled with their values."""
    return f"Settings: delays {delays}, {MODES[mode]}, hidden size {hidden}, {steps} steps per model and delay"


def accuracy_summary(trained: dict) -> str:
    return ", ".join(f"{LABELS[k]} {r['accuracy']:.0%}" for k, r in trained.items())


def radius_summary(radius: dict[tuple[str, str], float]) -> str:
    return "Measured: " + ", ".join(f"ρ({block}) = {v:.2f} {when}" for (block, when), v in radius.items()) + "."


GUESS_LOSS = -math.log(TASK.chance(1))  # cross-entropy of a uniform guess over the symbols


def boom_summary(runs: dict[str, dict]) -> str:
    """What each run did, from its own numbers."""
    lines, chance = [], TASK.chance(1)
    for name, r in runs.items():
        finite = [g for g in r["grad_norm"] if math.isfinite(g)]
        peak = f"largest finite gradient norm {max(finite):.2g}" if finite else "no finite gradient norm"
        if r["diverged_at"] is not None:
            lines.append(f"- **{name}**: blew up at step {r['diverged_at']} ({peak}); the weights were reset to the "
                         f"last finite ones.")
        else:
            lines.append(f"- **{name}**: ran all {len(r['loss'])} steps ({peak}), loss {r['loss'][0]:.3g} at step 1 "
                         f"and {r['loss'][-1]:.3g} at the last (guessing: {GUESS_LOSS:.2f}), held-out accuracy "
                         f"{r['accuracy']:.0%}.")
    if all(r["diverged_at"] == 1 for r in runs.values()):
        forward = all(r["loss"] and not math.isfinite(r["loss"][0]) for r in runs.values())
        why = ("the states overflow in the forward pass already, before any gradient step, so clipping has nothing "
               "to act on" if forward else
               "the very first gradient already overflows float32 (its norm is not a finite number), and clipping "
               "can only scale down a finite gradient")
        lines.append(f"\nBoth blew up at the very first update: at these settings {why}. Lower T, the hidden size "
                     "or the W_hh scale.")
    elif any(r["diverged_at"] is not None for r in runs.values()) and any(
            r["diverged_at"] is None and r["accuracy"] < 2 * chance for r in runs.values()):
        lines.append(f"\nClipping kept the run alive where the same first step threw the other to infinity. It does "
                     f"not give the RNN a memory: its accuracy stays near guessing ({chance:.1%}), because at this T "
                     "the gradient that would teach it to remember the first symbol still vanishes (the chart "
                     "above). That is what the LSTM and the GRU fix: section 2's race.")
    elif all(r["diverged_at"] is None for r in runs.values()):
        lines.append("\nNothing blew up at these settings. Raise the W_hh scale or the learning rate: the shorter the "
                     "sequence, the larger the scale it takes.")
    return "\n".join(lines)


# ---- the race ------------------------------------------------------------------------------------------------

def race_view(result: RaceResult) -> go.Figure:
    s = result.settings
    mode = "same width" if s.mode == "width" else "same parameter count"
    return figs.accuracy_vs_delay(list(s.delays), result.accuracy(), {c: CELLS[c].label for c in race.RACERS},
                                  chance=TASK.chance(s.delays[0]),
                                  title=f"Held-out accuracy after {s.steps} steps<br>"
                                        f"<span style='font-size:13px'>{mode}, seed {s.seed}</span>")


def lineup_markdown(s: RaceSettings) -> str:
    """The racers before the race (race.lineup) as a small Markdown table: cell, hidden size, parameters, W_hh's
    share. Plain text on purpose: a data grid costs the page a grid component and the server pandas."""
    return markdown_table(lineup(s))


def markdown_table(rows: list[dict], cell: Callable[[str, object], str] | None = None) -> str:
    """Rows of one shape as a Markdown table: the first column left, the others right-aligned. `cell(column, value)`
    writes a value; by default text as it is and numbers with thousands separators."""
    cell = cell or (lambda name, v: v if isinstance(v, str) else f"{v:,}")
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|:--|" + "--:|" * (len(head) - 1)]
    lines += ["| " + " | ".join(cell(k, v) for k, v in r.items()) + " |" for r in rows]
    return "\n".join(lines)


def race_markdown(result: RaceResult) -> str:
    """The race's results (RaceResult.rows) as a small Markdown table: hidden size, parameters, held-out accuracy per
    delay (in percent), steps per second. Plain text, as the lineup: a data grid would load pandas in the server
    when a room's class draws the race at once, and plotly building a figure in another session meanwhile can meet
    a half-loaded pandas (seen: "partially initialized module 'pandas'")."""
    def cell(name: str, v) -> str:
        if isinstance(v, str):
            return v
        if v is None:
            return "–"
        return f"{v:.1%}" if name.startswith("delay ") else f"{v:,}"

    return markdown_table(result.rows(), cell)


def race_summary(result: RaceResult, good: float = 0.9) -> str:
    """The delays at which each cell reached `good` held-out accuracy, read off this race."""
    parts = []
    for cell, acc in result.accuracy().items():
        ok = [str(d) for d, a in zip(result.settings.delays, acc) if a >= good]
        parts.append(f"{CELLS[cell].label} at {'delay ' + ', '.join(ok) if ok else 'none of these delays'}")
    return f"**Held-out accuracy of at least {good:.0%}** in this race: " + "; ".join(parts) + "."


# ---- the words around the charts, formatted from what they describe ---------------------------------------------

SYMBOL_NAMES = f"{TASK.vocab[1]}..{TASK.vocab[SYMBOLS]}"  # the first symbol's alphabet, as the task names it


def chance_text() -> str:
    """Guessing the first symbol: 1/8 = 12.5% for the race's eight symbols."""
    return f"1/{SYMBOLS} = {TASK.chance(1):.1%}"


def memory_bias_help(biases: tuple[float, ...] = (0.0, 1.0, 3.0)) -> str:
    """sigmoid(bias), the share of its memory a unit keeps per step before training, at a few biases."""
    kept = ", ".join(f"{b:g} → {1 / (1 + math.exp(-b)):.0%}" + (" (Keras' LSTM default)" if b == 1 else "")
                     for b in biases)
    return (f"σ(bias) is the share of its memory a unit keeps per step before any training: {kept}. The RNN has no "
            "such gate.")
