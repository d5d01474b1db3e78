"""bench/run.py prints `name: value` lines, every value a finite positive number, from every benchmark module
(values are not asserted: timing targets live in the benchmarks, not in tests)."""
import math
import subprocess
import sys

from conftest import ROOT

EXPECTED = {  # a few figures each module must print (the issues ask for them)
    "core": [f"core.rnn_{f}_vs_torch.T{T}" for T in (20, 200)
             for f in ("tanh", "sigmoid", "relu", "leaky_relu", "identity")],
    "review": [f"review.page_ms.{m}.T50" for m in ("rnn", "lstm", "gru")] + ["review.page_vs_forward.rnn.T50"],
    "train": ["train.parity.page_vs_bare_time_ratio", "train.parity8_defaults.page_wall_seconds_to_95pct"],
    "gates": ["gates.flow_figure_ms.T100"] + [f"gates.race_steps_per_s.{c}.delay20" for c in ("rnn", "lstm", "gru")],
}


def test_every_bench_prints_finite_positive_figures():
    out = subprocess.run([sys.executable, "bench/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=True).stdout
    figures = dict(line.split(": ") for line in out.strip().splitlines())
    for module, names in EXPECTED.items():
        for name in names:
            assert name in figures, (module, name)
    for name, value in figures.items():
        assert math.isfinite(float(value)) and float(value) > 0, (name, value)
