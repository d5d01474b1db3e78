"""Does every claim about how training turns out hold on another CPU? Run each one over several seeds and
under the other floating-point paths this machine can take, and print how often it held, with its margin.

A CI machine may have another CPU than yours: other BLAS kernels, other vector widths, so the same seed takes
another floating-point path, and a run near an edge goes the other way. Those paths are reachable here:

    variation      what changes
    base           this machine as it is (2 torch threads)
    threads1       torch.set_num_threads(1): other reduction orders
    aten_default   ATEN_CPU_CAPABILITY=default: torch's scalar kernels instead of AVX-512 ones
    aten_avx2      ATEN_CPU_CAPABILITY=avx2
    mkl_compat     MKL_CBWR=COMPATIBLE: MKL's matmuls as on a CPU without AVX
    mkl_avx2       MKL_CBWR=AVX2

A seed is another start and another batch stream: a claim that holds for every seed holds whichever path a
CPU takes. Each claim is what a test (or the page) asserts, at the test's own settings but the seed.

    python bench/robustness.py                      # every claim, seeds 0-4, every variation (~30 min)
    python bench/robustness.py --claims race,demo --seeds 8 --variations base,aten_default
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
# the claims reuse the tests' own procedures (test_lecture's scenes, test_sentiment's toy corpus): tests/ and its folders
sys.path[:0] = [str(HERE.parent / "tests"), *(str(d) for d in sorted((HERE.parent / "tests").iterdir()) if d.is_dir())]

VARIATIONS = {
    "base": {},
    "threads1": {"ROBUSTNESS_THREADS": "1"},
    "aten_default": {"ATEN_CPU_CAPABILITY": "default"},
    "aten_avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "mkl_compat": {"MKL_CBWR": "COMPATIBLE"},
    "mkl_avx2": {"MKL_CBWR": "AVX2"},
}


@dataclass(frozen=True)
class Claim:
    what: str  # what is claimed, as a test or the page says it
    run: Callable[[int], float]  # seed -> the measured quantity
    holds: Callable[[float], bool]


def _claims() -> dict[str, Claim]:
    import torch

    from playground.views import train_live as demos
    from playground.views import gates
    from playground.views import lecture
    from playground.views import train_live as live_text
    from playground.training import race
    from playground.tasks import text as tasks_text
    from playground.views.gates import GatesConfig
    from playground.training.gradflow import CONTENDERS, FlowSetup, build, clipping_runs, grad_norms
    from playground.training.live import LiveConfig, LiveSession
    from playground.training.race import TASK, RaceSettings
    from playground.tasks import TASKS
    from playground.training.history import fit
    from playground.training.trainer import TrainConfig

    def ticks(n: int, seed: int, **kw) -> LiveSession:
        s = LiveSession(dataclasses.replace(LiveConfig(), seed=seed, **kw))
        s.play()
        for _ in range(n):
            s.tick()
        return s

    def live_metric(n: int, **kw) -> Callable[[int], float]:
        return lambda seed: ticks(n, seed, **kw).latest()["test_metric"]

    def diverged_at(cfg: TrainConfig, steps: int) -> float:
        r = fit(cfg, steps=steps, eval_every=steps)
        return r.divergence.step if r.divergence else float("inf")

    def first_reach(cfg: TrainConfig, steps: int, until: float, every: int = 50) -> float:
        """The step at which the held-out metric first reached `until` (inf if never, or on a blow-up)."""
        r = fit(cfg, steps=steps, eval_every=every, until=until)
        return float(r.trainer.step) if r.divergence is None and r.metric >= until else float("inf")

    claims: dict[str, Claim] = {}
    for opt, too_big in live_text.TOO_BIG.items():
        claims[f"hint.{opt}_too_big"] = Claim(
            f"{opt} at lr {too_big:g} (the hint's 'too big') stays below 70% on parity after 800 steps",
            live_metric(16, optimizer=opt, lr=too_big, hidden=16, steps_per_tick=50), lambda v: v < 0.7)
        for lr in live_text.LEARNS[opt]:
            claims[f"hint.{opt}_{lr:g}_learns"] = Claim(
                f"{opt} at lr {lr:g} (the hint's 'rates that learn') passes 90% on parity within "
                f"{live_text.LEARNS_WITHIN} steps",
                lambda seed, opt=opt, lr=lr: first_reach(
                    dataclasses.replace(LiveConfig(), optimizer=opt, lr=lr, seed=seed).train_config(),
                    live_text.LEARNS_WITHIN, 0.9), lambda v: v <= live_text.LEARNS_WITHIN)
    explode = demos.demo_config("explode")
    claims["demo.explode_blows_up"] = Claim(
        f"the explode demo (no clipping) blows up within {demos.EXPLODE_BY} steps (its script says so)",
        lambda seed: diverged_at(dataclasses.replace(explode, seed=seed).train_config(), 300),
        lambda v: v <= demos.EXPLODE_BY)

    def explode_script(seed):
        """Follow the script: Play until it blows up, Clipping on (back to before the blow-up), Play: the step at
        which it passed 90%."""
        s = ticks(demos.EXPLODE_BY // 50, seed, **demos.DEMOS["explode"].changes)
        if s.status != "diverged":
            return float("inf")
        s.apply(dataclasses.replace(s.cfg, clip=True))
        s.play()
        for _ in range(2 * demos.CLIPPED_BY // 50):
            s.tick()
            if s.latest()["test_metric"] >= 0.9:
                return float(s.step)
        return float("inf")
    claims["demo.explode_script"] = Claim(
        f"the explode demo's script (blow up, Clipping on, Play) passes 90% within {demos.CLIPPED_BY} steps",
        explode_script, lambda v: v <= demos.CLIPPED_BY)
    claims["demo.parity_learns"] = Claim(
        f"the parity demo (the defaults) reaches 95% within {demos.PARITY_BY:,} steps",
        lambda seed: first_reach(dataclasses.replace(LiveConfig(), seed=seed).train_config(), demos.PARITY_BY, 0.95,
                                 100), lambda v: v <= demos.PARITY_BY)
    for hidden in (6, 8, 16):  # test_live / test_train / test_app_train's blow-up settings
        claims[f"blowup.identity_h{hidden}"] = Claim(
            f"counting, T=40, identity f, SGD lr 1, no clipping, hidden {hidden}: blows up within 50 steps",
            lambda seed, hidden=hidden: diverged_at(TrainConfig(
                task="counting", length=40, f="identity", g="identity", optimizer="sgd", lr=1.0, clip=0.0,
                hidden=hidden, seed=seed, batch_size=8 if hidden < 16 else 32), 300), lambda v: v <= 50)
    claims["blowup.relu_browser"] = Claim(
        "the browser test's ReLU run (counting, T=40, SGD lr 1, no clipping) blows up within 500 steps",
        lambda seed: diverged_at(TrainConfig(task="counting", length=40, f="relu", g="identity", optimizer="sgd",
                                             lr=1.0, clip=0.0, seed=seed), 1000), lambda v: v <= 500)
    claims["train.first_one_by_400"] = Claim(
        "first_one, length 5, hidden 8 reaches 90% before step 400",
        lambda seed: first_reach(TrainConfig(task="first_one", length=5, hidden=8, held_out=64, seed=seed), 400,
                                 0.9, 20), lambda v: v < 400)
    for name, task in TASKS.items():
        kg = task.known_good
        need = 0.6 if name == "text" else {"accuracy": 0.9, "R²": 0.8}[task.metric.name]
        claims[f"task.{name}"] = Claim(
            f"{name}'s known-good configuration reaches {need:g} in {kg['steps']} steps",
            lambda seed, name=name, kg=kg: fit(TrainConfig(
                task=name, length=kg["length"], cell=kg["cell"], hidden=kg["hidden"], f=kg["f"], lr=kg["lr"],
                held_out=256, seed=seed), kg["steps"], eval_every=kg["steps"]).metric,
            lambda v, need=need: v >= need)
    def alphabet(seed):
        r = fit(TrainConfig(task="text", text=tasks_text.TEXTS["abc"], length=8, cell="gru", hidden=24, lr=0.02,
                            held_out=64, seed=seed), steps=250, eval_every=250)
        out = tasks_text.generate(r.trainer.model, r.trainer.task, prime="abcd", n_chars=10, temperature=0, window=8)
        return float(out == "efghijklmn")
    claims["task.text_alphabet"] = Claim(
        "a GRU trained 250 steps on the alphabet continues 'abcd' with 'efghijklmn' at temperature 0",
        alphabet, lambda v: v == 1)

    def race_gap(seed):
        acc = {c: a[0] for c, a in race.race(RaceSettings(delays=(20,), hidden=16, steps=150, seed=seed))
               .accuracy().items()}
        return max(acc["gru"], acc["lstm"]) - acc["rnn"] if acc["rnn"] < 0.5 else -1.0
    claims["race.delay20_gap"] = Claim("at delay 20, 150 steps: the RNN < 50% and the best gated cell >= RNN + 0.4 "
                                       "(the lecture's race scene too)", race_gap, lambda v: v >= 0.4)

    from test_lecture import explode_then_clip, flow_margins, flow_shape, temperature_gap  # the scenes' procedures

    def explode_clip(seed):
        blew_up, ratio = explode_then_clip(seed)
        return ratio if blew_up <= lecture.EXPLODE_WITHIN else float("inf")
    claims["lecture.explode_clip"] = Claim(
        f"the lecture's ReLU scene blows up within {lecture.EXPLODE_WITHIN} steps; Clipping on, {lecture.CLIPPED_STEPS} "
        "steps: held-out loss / the untrained model's < 0.5", explode_clip, lambda v: v < 0.5)
    claims["lecture.temperatures"] = Claim(
        f"the lecture's text scene: share of the rhyme's words at {lecture.COLD:g} minus at {lecture.HOT:g} >= 0.2",
        temperature_gap, lambda v: v >= 0.2)

    def flow(seed):
        rnn, gru, share = flow_margins(seed)
        return float(rnn < 1e-9 and gru > 0.01 and share < 1e-2)
    claims["lecture.flow"] = Claim("the lecture's vanishing scene (T=60): every RNN's reach < 1e-9, the GRU's > 0.01, "
                                   "20 steps back the RNN's share < 1% of the GRU's", flow, lambda v: v == 1)
    claims["lecture.flow_shape"] = Claim(
        "the vanishing scene's chart: the RNN (tanh)'s factor per step varies < 1.6x, the sigmoid and ReLU lines leave "
        "the floor at >= 3 points; value: the spread (inf if too few points left)",
        lambda seed: (lambda spread, gone: spread if gone >= 3 else float("inf"))(*flow_shape(seed)),
        lambda v: v < 1.6)

    def boom(T, scale, lr, steps, seed):
        runs = clipping_runs(FlowSetup(T=T, hidden=16, seed=seed), "rnn_relu", scale, 1.0, lr, steps)
        return runs["no clipping"]["diverged_at"], runs["clipped at 1"]["diverged_at"]

    def boom_claim(T, scale, lr, steps, lo):
        def run(seed):
            wild, tamed = boom(T, scale, lr, steps, seed)
            return float(wild) if wild is not None and tamed is None else float("inf")
        return run, (lambda v: lo <= v <= steps)
    run, holds = boom_claim(25, 2.5, 0.1, 30, 1)
    claims["clip.T25_test"] = Claim("T=25, scale 2.5, lr 0.1: no clipping blows up within 30 steps, clipped survives",
                                    run, holds)
    cfg = GatesConfig()

    def boom_defaults(seed):
        """The first gradient over the clipping threshold if no clipping blew up and the clipped run survived."""
        c = dataclasses.replace(cfg, seed=seed)
        runs = clipping_runs(c.setup(), c.boom, c.boom_scale, c.clip, c.boom_lr, gates.BOOM_STEPS)
        wild, tamed = runs["no clipping"], runs[f"clipped at {c.clip:g}"]
        return wild["grad_norm"][0] / c.clip if wild["diverged_at"] and tamed["diverged_at"] is None else 0.0
    claims["clip.defaults"] = Claim(
        f"the page's defaults (T={cfg.T}, scale {cfg.boom_scale:g}, lr {cfg.boom_lr:g}): no clipping blows up within "
        f"{gates.BOOM_STEPS} steps, clipped survives; value: first gradient / threshold (test: > 1e4)",
        boom_defaults, lambda v: v > 1e4)

    def boom_falls(seed):
        """The clipped run's last loss over guessing's (test: under 2), if its first loss was 50 times the last."""
        c = dataclasses.replace(cfg, seed=seed)
        tamed = clipping_runs(c.setup(), c.boom, c.boom_scale, c.clip, c.boom_lr, gates.BOOM_STEPS)[
            f"clipped at {c.clip:g}"]
        return tamed["loss"][-1] / gates.GUESS_LOSS if tamed["loss"][0] > 50 * tamed["loss"][-1] else float("inf")
    claims["clip.defaults_fall"] = Claim(
        f"at the defaults the clipped run's loss falls 50x and ends under twice guessing's {gates.GUESS_LOSS:.2f}; "
        "value: last loss / guessing's (test: < 2)", boom_falls, lambda v: v < 2)
    claims["clip.calm_nothing"] = Claim(
        "scale 1.1 at the default T and rate: nothing blows up in 40 steps",
        lambda seed: float(sum(d is not None for d in boom(cfg.T, 1.1, cfg.boom_lr, 40, seed))), lambda v: v == 0)
    run, holds = boom_claim(cfg.T, cfg.boom_scale, cfg.boom_lr, 40, 1)
    claims["clip.defaults_in_40"] = Claim("at the defaults, no clipping blows up within 40 steps", run, holds)

    def forward_overflow(seed):
        runs = clipping_runs(FlowSetup(T=201, hidden=64, scale=4.0, seed=seed), "rnn_relu", 4.0, 1.0, 0.01, 5)
        return float([r["diverged_at"] for r in runs.values()] == [1, 1])
    claims["clip.forward_overflow"] = Claim("T=201, H=64, scale 4: both runs die at the first update",
                                            forward_overflow, lambda v: v == 1)
    run, holds = boom_claim(25, 2.5, 0.1, gates.BOOM_STEPS, 1)
    claims["clip.browser_link"] = Claim("the browser test's link (T=25, scale 2.5, lr 0.1) blows up, clipped survives",
                                        run, holds)

    def reach(seed):
        r = {k: i for k, (i, _) in gates.flow_view(FlowSetup(T=40, hidden=16, seed=seed)).reach.items()}
        ok = (r["RNN (tanh)"] < 1e-4 and r["RNN (sigmoid)"] < r["RNN (tanh)"] and
              min(r["LSTM"], r["GRU"]) > 1e3 * r["RNN (tanh)"])
        return float(ok)
    claims["flow.reach_at_init"] = Claim("at init, T=40: tanh reach < 1e-4, sigmoid below it, LSTM/GRU > 1000x",
                                         reach, lambda v: v == 1)

    def memory(seed):
        def first(cell, bias):
            model = build(CONTENDERS[cell], 8, seed=seed, memory_bias=bias)
            gen = torch.Generator().manual_seed(seed + 4)
            return grad_norms(model, torch.randint(1, TASK.vocab_size, (4, 40), generator=gen),
                              torch.tensor([0, 1, 2, 3]))[0]
        return float(min(first(c, 3.0) / first(c, -1.0) for c in ("lstm", "gru")))
    claims["flow.memory_bias"] = Claim("a memory-gate bias of 3 vs -1: the first step's gradient is > 1000x larger",
                                       memory, lambda v: v > 1e3)

    def tiny_sentiment(cell):
        def run(seed):
            from test_sentiment import FAST, TINY, toy_data  # the test's own corpus and settings
            from playground.lesson.cells import ModelConfig
            from playground.sentiment.train import accuracy, train
            train_data, vocab = toy_data(400, seed)
            dev_data, _ = toy_data(200, seed + 1, vocab)
            test_data, _ = toy_data(200, seed + 2, vocab)
            model, _ = train(ModelConfig(cell=cell, **TINY), train_data, dev_data,
                             dataclasses.replace(FAST, seed=seed), label=cell, stream=open(os.devnull, "w"))
            return accuracy(model, test_data)
        return run
    for cell in ("rnn", "lstm", "gru"):
        claims[f"sentiment.tiny_{cell}"] = Claim(f"the tiny {cell} learns the toy corpus to >= 90%",
                                                 tiny_sentiment(cell), lambda v: v >= 0.9)
    return claims


def worker(names: list[str], seeds: list[int]) -> None:
    import torch
    if os.environ.get("ROBUSTNESS_THREADS"):
        torch.set_num_threads(int(os.environ["ROBUSTNESS_THREADS"]))
    claims = _claims()
    for name in names:
        for seed in seeds:
            t0 = time.perf_counter()
            value = float(claims[name].run(seed))
            print(json.dumps({"claim": name, "seed": seed, "value": value, "holds": bool(claims[name].holds(value)),
                              "seconds": time.perf_counter() - t0}), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", default="", help="comma-separated prefixes of claim names (default: all)")
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1")
    ap.add_argument("--variations", default=",".join(VARIATIONS))
    ap.add_argument("--list", action="store_true", help="list the claims and exit")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    claims = _claims()
    prefixes = [p for p in args.claims.split(",") if p]
    names = [n for n in claims if not prefixes or any(n.startswith(p) for p in prefixes)]
    if args.list:
        for n in names:
            print(f"{n}: {claims[n].what}")
        return 0
    seeds = list(range(args.seeds))
    if args.worker:
        worker(names, seeds)
        return 0
    failed = 0
    for var in args.variations.split(","):
        env = {**os.environ, **VARIATIONS[var], "PYTHONPATH": str(HERE.parent)}
        cmd = [sys.executable, __file__, "--worker", "--claims", ",".join(names), "--seeds", str(args.seeds)]
        results: dict[str, list[dict]] = {}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            r = json.loads(line)
            results.setdefault(r["claim"], []).append(r)
        if proc.wait() != 0:
            print(f"{var}: the worker failed (exit {proc.returncode})")
            failed += 1
            continue
        for name, rs in results.items():
            held = sum(r["holds"] for r in rs)
            failed += held < len(rs)
            values = ", ".join(f"{r['value']:.3g}" for r in rs)
            print(f"{var:13s} {name:28s} held {held}/{len(rs)}  values [{values}]"
                  f"  ({sum(r['seconds'] for r in rs):.0f} s)", flush=True)
    print(f"robustness: {'every claim held' if not failed else f'{failed} claim/variation pairs did not hold'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
