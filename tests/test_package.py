"""The package from Python: pyproject.toml installs what requirements.txt lists (Community Cloud reads only that),
its commands resolve, and examples/quickstart.py runs as the README says."""
import importlib
import os
import re
import subprocess
import sys
import tomllib

from conftest import ROOT
from playground.web import cli


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]


def test_pyproject_depends_on_exactly_what_requirements_txt_lists():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(project["dependencies"]) == sorted(_requirements())
    assert "torch==2.13.0" in project["dependencies"]  # unpinned: a multi-GB CUDA build


def test_the_console_scripts_point_at_callables():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert set(scripts) == {"rnn-playground", "rnn-playground-sentiment"}
    for target in scripts.values():
        module, name = target.split(":")
        assert callable(getattr(importlib.import_module(module), name)), target
    assert (cli.ROOT / "app.py").is_file() and (cli.ROOT / ".streamlit" / "config.toml").is_file()


def test_rnn_playground_outside_a_checkout_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    assert cli.main([]) == 2 and "pip install -e ." in capsys.readouterr().err


def test_the_sentiment_command_predicts():
    from playground.sentiment import cli as sentiment

    assert sentiment.main(["predict", "not bad at all", "--model", "gru"]) == 0


def test_the_quickstart_example_runs(tmp_path):
    out = tmp_path / "figure.html"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), str(out)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    probs = [float(p) for p in re.findall(r"P\(positive\) = ([\d.]+)", done.stdout)]
    assert len(probs) == 12 and all(0 <= p <= 1 for p in probs)  # one per token of the review
    rows = re.findall(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)$", done.stdout, flags=re.M)
    assert [int(r[0]) for r in rows] == [0, 50, 100, 150, 200]  # trained 200 steps
    assert all(float(r[2]) < 1e3 for r in rows)  # held-out loss finite and sane (parity starts at log 2)
    assert out.is_file() and "plotly" in out.read_text()[:5000].lower()
