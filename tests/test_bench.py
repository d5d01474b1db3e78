"""bench/run.py prints `name: value` lines whose ratios are finite and positive (values are not asserted)."""
import math
import subprocess
import sys

from conftest import ROOT


def test_core_bench_prints_ratios_for_every_f():
    out = subprocess.run([sys.executable, "bench/run.py", "--quick", "--only", "core"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    figures = dict(line.split(": ") for line in out.strip().splitlines())
    for T in (20, 200):
        for f in ("tanh", "sigmoid", "relu", "leaky_relu", "identity"):
            value = float(figures[f"core.rnn_{f}_vs_torch.T{T}"])
            assert math.isfinite(value) and value > 0
