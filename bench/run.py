"""Run every benchmark in bench/ and print one `name: value` line per figure.

Each module bench/bench_*.py defines `run(quick: bool) -> dict[str, float]`; every ratio it reports is
measured against its baseline in the same run. `--quick` gives a short form (used by the tests).
"""
from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


TARGETS = {  # figure name pattern -> the most it may be (README, speed table); printed next to the figure
    "core.rnn_*_vs_torch.T*": 1.2,
    "review.page_ms.*.T50": 50.0,
    "review.page_ms.*.T200": 150.0,
    "train.parity8_defaults.page_wall_seconds_to_95pct": 15.0,
}


def line(name: str, value) -> str:
    """`name: value`, and for a figure with a target `(target <= X: met|not met)`."""
    text = f"{name}: {value:.4g}" if isinstance(value, float) else f"{name}: {value}"
    for pattern, most in TARGETS.items():
        if fnmatch.fnmatchcase(name, pattern):
            return f"{text} (target <= {most:g}: {'met' if value <= most else 'not met'})"
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, shorter runs")
    ap.add_argument("--only", default="", help="run only benchmarks whose file name contains this")
    args = ap.parse_args(argv)
    for path in sorted(HERE.glob("bench_*.py")):
        if args.only not in path.stem:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, value in module.run(args.quick).items():
            print(line(name, value), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
