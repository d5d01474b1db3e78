"""bench/run.py prints `name: value` lines, every value a finite positive number, from every benchmark module,
with its verdict next to each figure that has a target (values are not asserted: timing targets live in the
benchmarks, not in tests)."""
import math
import re
import subprocess
import sys

import pytest

from conftest import ROOT

EXPECTED = {  # a few figures each module must print (the issues ask for them)
    "core": [f"core.rnn_{f}_vs_torch.T{T}" for T in (20, 200)
             for f in ("tanh", "sigmoid", "relu", "leaky_relu", "identity")],
    "review": [f"review.page_ms.{m}.T{T}" for m in ("rnn", "lstm", "gru") for T in (50, 200)]
    + ["review.page_vs_forward.rnn.T50"],
    "train": ["train.parity.page_vs_bare_time_ratio", "train.parity8_defaults.page_wall_seconds_to_95pct"],
    "gates": ["gates.flow_figure_ms.T100"] + [f"gates.race_steps_per_s.{c}.delay20" for c in ("rnn", "lstm", "gru")],
}


def test_every_bench_prints_finite_positive_figures():
    out = subprocess.run([sys.executable, "bench/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=True).stdout
    figures = dict(line.split(": ", 1) for line in out.strip().splitlines())
    for module, names in EXPECTED.items():
        for name in names:
            assert name in figures, (module, name)
    verdicts = 0
    for name, shown in figures.items():
        value, _, target = shown.partition(" ")
        assert math.isfinite(float(value)) and float(value) > 0, (name, value)
        if target:  # "(target <= X: met)": the verdict must be the figure's own
            most, verdict = re.fullmatch(r"\(target <= ([0-9.e+-]+): (met|not met)\)", target).groups()
            assert (verdict == "met") == (float(value) <= float(most)), (name, shown)
            verdicts += 1
    assert verdicts >= 10 + 6 + 1  # every core ratio, every review page (50 and 200 tokens), parity to 95%


@pytest.mark.parametrize("name,value,shown", [
    ("review.page_ms.rnn.T50", 17.5, "review.page_ms.rnn.T50: 17.5 (target <= 50: met)"),
    ("core.rnn_tanh_vs_torch.T200", 1.3, "core.rnn_tanh_vs_torch.T200: 1.3 (target <= 1.2: not met)"),
    ("gates.flow_figure_ms.T100", 710.0, "gates.flow_figure_ms.T100: 710")])
def test_a_figure_is_printed_with_its_targets_verdict(name, value, shown):
    sys.path.insert(0, str(ROOT / "bench"))
    from run import line

    assert line(name, value) == shown
