"""Why LSTM & GRU: gradient flow through time, a fair RNN / LSTM / GRU race, and what the gates do."""
import streamlit as st

from playground.state import limits
from playground.views import gates
from playground.views.gates import CONTENDERS, INITS, PREFIX, GatesConfig
from playground.web import jobs
from playground.web import lecture as lecture_ui
from playground.web import paint, ui

K = lambda name: ui.key(PREFIX, name)  # noqa: E731
LABEL = lambda k: CONTENDERS[k].label  # noqa: E731
VALUE = lambda name: st.session_state[K(name)]  # noqa: E731 - a setting's value (after ui.init_config)
FOLD = lambda name: ui.memory_key(PREFIX, f"{name}_open")  # noqa: E731 - a follower's fold: closed at each new scene

ui.require_navigation()
scene = lecture_ui.header("Why LSTM & GRU", PREFIX)  # a lecture scene: its bar in the title's place, its settings
box = lecture_ui.sections(gates.SECTIONS, scene.focus if scene else ())  # a scene's focus first
first = paint.first_run(PREFIX)  # a first visit: the gradient chart alone, the others on the rerun after its paint
if scene is None and not ui.classroom_on():  # a scene's bar and a lecturer say what the page is about
    box["flow"].caption(
        "A vanilla RNN forgets what it saw long ago: the gradient that would teach it to remember **vanishes** on its "
        "way back through time. Which cells fix that, and how? Every figure here is computed from the models and runs "
        f"you set up, on one task: **recall the first symbol** (one of {gates.SYMBOL_NAMES}) after N distractor digits "
        f"(guessing scores {gates.chance_text()}).")
ui.init_config(GatesConfig, PREFIX)

if scene is None:  # a scene names its section in its bar
    box["flow"].header("1. Gradient flow through time")
FLOW_LABEL = gates.flow_settings_label(*(st.session_state[K(n)] for n in ("T", "hidden", "init", "scale", "memory_bias",
                                                                         "seed")))
with box["flow"]:  # the flow's settings folded, labelled with their values: its chart on the first screen at 1024x768
    flow_row = st.container(horizontal=True, vertical_alignment="top")  # the folded settings, then their button
    flow_controls = ui.settings_box(flow_row.container(), fold=True, label=FLOW_LABEL, key=FOLD("flow"))
    five_slot, flow_box = flow_row.container(width="content"), st.container()
    inspect_controls = ui.settings_box(label=gates.inspect_settings_label(VALUE("inspect")), key=FOLD("inspect"))
    inspect_box = st.container()
    st.subheader("Exploding gradients and clipping")
    boom_controls = ui.settings_box(label=gates.boom_settings_label(*map(VALUE, ("boom", "boom_scale", "boom_lr", "clip"))),
                                    key=FOLD("boom"))
    boom_box = st.container()
with box["race"]:
    if scene is None or "race" not in scene.focus:
        st.header("2. A fair race: RNN vs LSTM vs GRU", anchor=gates.RACE_ANCHOR)
    race_controls = ui.settings_box(label=gates.race_settings_label(*map(VALUE, ("race_delays", "race_mode", "race_hidden",
                                                                               "race_steps"))), key=FOLD("race"))
    race_box = st.container()
with box["gates"]:
    st.header("3. What the gates do")
    gates_box = st.container()

# a room's follower: folded, drawn once opened; a first visit: the settings (folded, or below the first screen) come
# with the rest of the page, after the first chart's paint (their widgets were a third of the browser's work before it)
if ui.opened(flow_controls) and not first:
    with flow_controls:
        a, b, c = st.columns(3)
        a.slider("Sequence length T", **limits(GatesConfig, "T"), key=K("T"),
                 help="1 symbol followed by T−1 distractors.")
        b.slider("Hidden size H", **limits(GatesConfig, "hidden"), key=K("hidden"))
        c.number_input("Seed", **limits(GatesConfig, "seed"), step=1, key=K("seed"), disabled=ui.classroom_on(),
                       help="Same seed: same data and starting weights.")
        st.selectbox("W_hh initialisation", list(INITS), format_func=lambda k: INITS[k].label, key=K("init"),
                     width=ui.px(330))  # "orthogonal (all singular values 1)" whole, the fold beside its button
        # at 1024 px
        b, c = st.columns(2)
        b.slider("W_hh scale (×)", **limits(GatesConfig, "scale"), step=0.05, key=K("scale"),
                 help="Every block of W_hh is multiplied by this. Below 1 gradients vanish faster, above 1 they can "
                      "explode.")
        c.slider("Memory-gate bias (LSTM b_f, GRU b_z)", **limits(GatesConfig, "memory_bias"), step=0.5,
                 key=K("memory_bias"),
                 help=gates.memory_bias_help())
        st.columns(3)[0].slider("Training steps for “Train all five”", **limits(GatesConfig, "train_steps"), step=10,
                                key=K("train_steps"))
if ui.opened(inspect_controls) and not first:
    with inspect_controls:
        st.selectbox("Model for the eigenvalue plot", list(CONTENDERS), format_func=LABEL, key=K("inspect"))
if ui.opened(boom_controls) and not first:
    with boom_controls:
        a, b, c, d = st.columns(4)
        a.selectbox("Model", list(CONTENDERS), format_func=LABEL, key=K("boom"))
        b.slider("W_hh = orthogonal × this scale", **limits(GatesConfig, "boom_scale"), step=0.05,
                 key=K("boom_scale"))
        c.number_input("SGD learning rate", **limits(GatesConfig, "boom_lr"), step=0.01, format="%.3f",
                       key=K("boom_lr"))
        d.number_input("Clip the gradient norm at", **limits(GatesConfig, "clip"), step=0.5, key=K("clip"))
if ui.opened(race_controls) and not first:
    with race_controls:
        a, b, c, d = st.columns(4)
        a.text_input("Delays N (comma separated)", key=K("race_delays"), max_chars=60,
                     help=f"Up to {gates.MAX_DELAYS} delays between 1 and {gates.MAX_DELAY}.")
        b.radio("Compare at", list(gates.MODES), format_func=gates.MODES.get, key=K("race_mode"))
        c.slider("Hidden size (the RNN's)", **limits(GatesConfig, "race_hidden"), key=K("race_hidden"))
        d.slider("Training steps per model and delay", **limits(GatesConfig, "race_steps"), step=25,
                 key=K("race_steps"))
cfg = ui.publish_config(GatesConfig, PREFIX)
setup, trained, run = cfg.setup(), None, None  # run: which training run the views show (None: untrained)

with ui.friendly_errors():
    with flow_box:
        if five_slot.button(f"Train all five for {cfg.train_steps} steps", icon=":material/play_arrow:",
                            key=f"{PREFIX}:five", help=setup.train_config(cfg.inspect).recipe() + "."):
            jobs.start_job(f"{PREFIX}:five", "five", setup, cfg.train_steps)
        if job := jobs.finished_job(f"{PREFIX}:five"):  # shared with every session that asked for these settings
            _, job_setup, steps = job.key
            st.session_state[f"{PREFIX}:trained"] = {"setup": job_setup, "steps": steps, "result": job.result,
                                                      "run": job.key}
        saved = st.session_state.get(f"{PREFIX}:trained")
        trained = saved["result"] if saved and saved["setup"] == setup else None
        run = saved.get("run") if trained else None
        if saved and trained is None:
            st.info(gates.stale_training_note(saved["setup"], saved["steps"], setup))
        view = jobs.shared_view(gates.FLOW_VIEW, (setup, run), lambda: gates.flow_view(setup, trained))
        ui.chart(view.grads, key=f"{PREFIX}:grads",
                 alt="Gradient of the last-step loss reaching each step t, log scale, one line per model")
        st.caption("Five models read the same sequences from the same seed and the same $W_{hh}$ initialisation: the "
                   "RNN with $f$ = tanh, sigmoid or ReLU, the LSTM and the GRU. The loss sits at the last step $T$; "
                   "backpropagation through time carries $\\partial L/\\partial h_t$ back to every earlier step. "
                   "How to read it: each line is the size of the gradient that reaches step $t$ from the loss at the "
                   "last step. The vertical axis is logarithmic, so a straight falling line means the gradient "
                   "shrinks by the same factor at every step back, and a line that leaves the bottom has vanished: "
                   "what the model saw at those steps can no longer be learned from. " + (
                       f"Dashed lines: the same models after {saved['steps']} steps (held-out accuracy "
                       f"{gates.accuracy_summary(trained)})." if trained else
                       "*Train all five* adds dashed lines: the same models after training."))
        st.markdown(gates.reach_summary(view.reach, setup.T))
        if not first:  # (a press between a first visit's two runs would ask for a file the second run replaced)
            ui.download("Both charts' curves (CSV)", lambda v=view: v.table, f"gradient_flow_T{setup.T}",
                        key=f"{PREFIX}:flow_csv", help="One row per model, weights (initial or trained) and step t: "
                                                       "‖∂L/∂h_t‖ and ‖∂h_T/∂h_t‖.")
        if not first:  # a first visit: the gradient chart alone, this one on the rerun that follows its paint
            ui.chart(view.jacobians, key=f"{PREFIX}:jac",
                     alt="Norm of the Jacobian product dh_T/dh_t against step t, log scale, one line per model")
        st.caption("Why: $\\partial h_T/\\partial h_t$ is the product of one Jacobian per step, and its largest "
                   "singular value bounds how much of the gradient at $T$ can reach step $t$: "
                   "$\\|\\partial L/\\partial h_t\\| \\le \\|\\partial h_T/\\partial h_t\\|\\,"
                   "\\|\\partial L/\\partial h_T\\|$ for each sequence. So where a line here vanishes, the "
                   "gradient that reaches step $t$ in that model vanishes too (both charts average over the probe "
                   f"sequences: the first over {setup.probe_size} of them, this one over the first "
                   f"{gates.JACOBIAN_PROBES}). For the RNN each factor is $\\mathrm{{diag}}(f'(a_s))\\,W_{{hh}}$: "
                   "a small $W_{hh}$ or a small $f'$ shrinks it, a large $W_{hh}$ grows it.")
    with inspect_box:
        left, right = st.columns([3, 2])
        with left:
            fig, radius = jobs.shared_view(gates.EIGEN_VIEW, (setup, cfg.inspect, run),
                                        lambda: gates.eigen_view(setup, cfg.inspect, trained))
            if not first:
                ui.chart(fig, key=f"{PREFIX}:eig", alt="Eigenvalues of W_hh in the complex plane with the unit circle")
        with right:
            st.markdown("**Where it comes from: the eigenvalues of $W_{hh}$**")
            st.markdown("Each dot is an eigenvalue λ of $W_{hh}$ (for the LSTM and GRU, of each gate's block). "
                        "Multiplying by $W_{hh}$ step after step shrinks the directions with |λ| < 1 (inside the "
                        "dotted circle) and stretches those outside; the spectral radius ρ is the largest |λ|. "
                        "Move the *W_hh scale* slider above to push the dots in or out, and watch the RNN lines of "
                        "both charts tilt.")
            st.markdown(gates.radius_summary(radius))

with boom_box, ui.friendly_errors():
    st.markdown("With $W_{hh}$ scaled above 1 the RNN's Jacobian product grows instead of shrinking, and an "
                "unbounded $f$ such as ReLU lets the states grow too: one SGD step can throw the weights to infinity. "
                "**Clipping** rescales the gradient whenever its norm is above a threshold, so one step can only move "
                "so far. The run uses the sequence length, hidden size and seed set above.")
    boom_model = CONTENDERS[cfg.boom]
    st.latex(gates.hidden_equation(boom_model.f, boom_model.cell))  # the model picked above
    boom_key = (setup, cfg.boom, cfg.boom_scale, cfg.clip, cfg.boom_lr)
    boom = st.session_state.get(f"{PREFIX}:boom")
    if st.button(f"Run {gates.BOOM_STEPS} SGD steps with and without clipping", icon=":material/bolt:",
                 key=f"{PREFIX}:boom_run"):
        jobs.start_job(f"{PREFIX}:boom", "boom", *boom_key, gates.BOOM_STEPS)
    if job := jobs.finished_job(f"{PREFIX}:boom"):
        boom = st.session_state[f"{PREFIX}:boom"] = {"key": job.key[1:-1], "runs": job.result}
    if boom and boom["key"] == boom_key:
        ui.chart(jobs.shared_view(gates.BOOM_VIEW, boom_key, lambda: gates.clipping_view(boom["runs"])), key=f"{PREFIX}:boom",
                 alt="Training loss and gradient norm per step, with and without gradient clipping")
        st.caption("Top: the training loss per step. Bottom: the gradient norm before clipping. Both axes are "
                   "logarithmic. "
                   "A dashed vertical line marks the step where a run produced NaN or inf and stopped. "
                   "Clipping keeps the run alive, but it only treats exploding gradients: it cannot make a "
                   "vanished gradient big again.")
        st.markdown(gates.boom_summary(boom["runs"]))
    elif boom:
        st.info("The settings changed since the last run; press the button to run again.")

with race_box, ui.friendly_errors():
    settings = cfg.race_settings()
    lane = settings.train_config("rnn", settings.hidden, settings.delays[0])
    about, chart_box = st.container(), st.container()
    if scene is not None:  # a scene: the button and the chart first, what the race is below them
        about, chart_box = chart_box, about
    about.markdown(f"The three cells train on **the same batches** from the same seed, with the same recipe "
                f"({lane.recipe()}) and step budget, one run per delay; accuracy is measured on "
                f"{lane.held_out} held-out sequences none of them trained on. Weights start from torch's default "
                "initialisation; the LSTM's and GRU's memory gates start at the bias set in section 1. "
                "An LSTM has four blocks of weights where the RNN has one, a GRU three: "
                "“same parameter count” shrinks their hidden size until the counts match the RNN's.")
    about.markdown(gates.lineup_markdown(settings))
    runs = st.session_state.setdefault(f"{PREFIX}:race", {})
    with chart_box:
        runs_of = f"3 cells × {len(settings.delays)} delays" if len(settings.delays) > 1 else "3 cells"
        if st.button(f"Start the race ({settings.steps:,} steps each, {runs_of})", type="primary", icon=":material/flag:",
                     key=f"{PREFIX}:race_run"):
            jobs.start_job(f"{PREFIX}:race", "race", settings)
        if job := jobs.finished_job(f"{PREFIX}:race"):
            runs[job.key[1]] = job.result
            while len(runs) > 4:  # keep this session's last few races
                runs.pop(next(iter(runs)))
        result = runs.get(settings)
        if result is None:
            if not jobs.pending(f"{PREFIX}:race"):  # (while it trains: its progress bar above, and no prompt)
                st.info("Press **Start the race** to train the three cells; the chart below appears from that run.")
        else:
            race_fig = jobs.shared_view(gates.RACE_VIEW, settings, lambda: gates.race_view(result))  # a room's class
            ui.chart(race_fig, key=f"{PREFIX}:race",  # draws the lecturer's race at once: one figure, encoded once
                     alt="Held-out accuracy against delay for RNN, LSTM and GRU")
            st.caption("How to read it: one point per cell and delay, the accuracy on held-out sequences after the "
                       f"step budget. The dotted line is guessing (1 in {gates.SYMBOLS}). Where a line falls to the dotted "
                       "line, that cell could not carry the first symbol across that many distractors within the budget.")
            st.markdown(gates.race_markdown(result))  # as the lineup above: no data grid, no pandas
            st.markdown(gates.race_summary(result))
            ui.download("Race results (CSV)", result.table, f"race_seed{settings.seed}", key=f"{PREFIX}:race_csv",
                        help="One row per cell and delay: hidden size, parameters, held-out accuracy, seconds.")
            for note in result.notes():
                st.warning(note)

EQUATIONS = {  # one aligned block per cell: "=" lined up, each gate named on the right
    "lstm": [r"i_t &= \sigma(W_{xi}x_t + W_{hi}h_{t-1} + b_i) && \text{input gate}",
             r"f_t &= \sigma(W_{xf}x_t + W_{hf}h_{t-1} + b_f) && \text{forget gate}",
             r"g_t &= \tanh(W_{xg}x_t + W_{hg}h_{t-1} + b_g) && \text{candidate}",
             r"o_t &= \sigma(W_{xo}x_t + W_{ho}h_{t-1} + b_o) && \text{output gate}",
             r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t && \text{cell state}",
             r"h_t &= o_t \odot \tanh(c_t) && \text{hidden state}",
             r"\frac{\partial c_t}{\partial c_{t-1}} &= \mathrm{diag}(f_t) + \dots && \text{the copy path}"],
    "gru": [r"r_t &= \sigma(W_{xr}x_t + W_{hr}h_{t-1} + b_r) && \text{reset gate}",
            r"z_t &= \sigma(W_{xz}x_t + W_{hz}h_{t-1} + b_z) && \text{update gate}",
            r"n_t &= \tanh\big(W_{xn}x_t + r_t \odot (W_{hn}h_{t-1} + b_{hn}) + b_n\big) && \text{candidate}",
            r"h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} && \text{hidden state}",
            r"\frac{\partial h_t}{\partial h_{t-1}} &= \mathrm{diag}(z_t) + \dots && \text{the copy path}"],
}
GATE_CAPTIONS = {
    "lstm": "How to read it: one heatmap per gate, units down, the probe sequence's steps across (its first token "
            "is the symbol to recall). Gates run from 0 (closed, dark) to 1 (open, yellow). A forget-gate row that "
            "stays near 1 is a unit holding on to its cell state; the bottom panel shows $c_t$ itself, and a row "
            "that keeps its colour from the first step to the last is the memory of the first symbol.",
    "gru": "How to read it: units down, steps across. The update gate $z_t$ near 1 keeps $h_{t-1}$ (the unit "
           "ignores the distractor), near 0 replaces it with the candidate $n_t$. A unit whose $z_t$ stays near 1 "
           "after the first step carries the symbol to the end; the bottom panel shows $h_t$ itself.",
}
with gates_box, ui.friendly_errors():
    st.markdown("Why do the gated cells keep their gradient? In the RNN the only way back from $h_t$ to $h_{t-1}$ "
                "goes through $W_{hh}$ and $f'$ at every step:")
    st.latex(r"h_t = f(W_{xh}x_t + W_{hh}h_{t-1} + b_h) \qquad "
             r"\frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}\big(f'(a_t)\big)\,W_{hh}")
    st.markdown("The LSTM and the GRU add a path on which the old state is **copied**, scaled only by a gate the "
                "network sets itself (the “…” are the paths through the gates). When that gate is near 1 the "
                "Jacobian on the copy path is near the identity, so the gradient neither vanishes nor explodes, "
                "whatever $W_{hh}$ is.")
    # Folded, and drawn only when opened: the two gate figures (nine heatmaps) were most of the browser's work before
    # the page's first chart showed (profiled in Chromium: Plotly draws every chart of a page in one go).
    shown = st.expander("The LSTM's and the GRU's gates at work, unit by unit (nine heatmaps)", key=K("gates_open"),
                        icon=":material/grid_on:", on_change="rerun")
    for cell in ("lstm", "gru") if shown.open else ():
        eq, fig_col = shown.container(), shown.container()  # stacked: the gate heatmaps need the full width
        with eq:
            st.markdown(f"**{'LSTM' if cell == 'lstm' else 'GRU'}** (σ is the sigmoid; ⊙ multiplies element by "
                        "element; torch's gate order)")
            st.latex(r"\small\begin{aligned}" + r" \\[4pt] ".join(EQUATIONS[cell]) + r"\end{aligned}")
        with fig_col:
            fig, is_trained = jobs.shared_view(f"{PREFIX}:gates_view_{cell}", (setup, run),
                                            lambda: gates.gates_view(setup, cell, trained))
            ui.chart(fig, key=f"{PREFIX}:gates_{cell}",
                     alt=f"{cell.upper()} gate activations for the probe sequence, units by steps")
            st.caption(GATE_CAPTIONS[cell] + ("" if is_trained else
                       " These are the gates at initialisation; press “Train all five” in section 1 to see what "
                       "training makes of them."))
