"""The package reads as its architecture: the layers contract (pyproject.toml, lint-imports) holds and fails on a
wrong-way import, no import circle anywhere in playground/, and pages import only the web facade, their own views
module, state and errors."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")
PAGE_VIEWS = {"1_read_a_review.py": "review", "2_train_live.py": "train_live", "3_why_lstm_gru.py": "gates",
              "4_inside_one_step.py": "onestep", "5_lecture.py": "lecture"}


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", "pyproject.toml"], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, timeout=300)


def test_the_layers_contract_holds():
    out = lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.mark.parametrize("module, wrong", [
    ("lesson/activations.py", "from playground.training import trainer"),  # down the stack: lesson below training
    ("server/worker.py", "from playground.figures import style"),  # the workers never import plotly
    ("figures/style.py", "from playground.lesson import cells"),  # figures are pure
])
def test_a_wrong_way_import_breaks_the_contract(tmp_path, module, wrong):
    shutil.copytree(ROOT / "playground", tmp_path / "playground", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / "playground" / module
    path.write_text(path.read_text() + f"\n{wrong}  # noqa\n")
    out = lint(tmp_path)
    assert out.returncode != 0 and "BROKEN" in out.stdout, out.stdout


def cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return found


def test_no_import_circle_in_the_package():
    graph = grimp.build_graph("playground", cache_dir=None)
    assert cycles(graph) == []
    graph.add_import(importer="playground.tasks.base", imported="playground.tasks.text")  # the circle it had
    assert cycles(graph) == [{"playground.tasks.base", "playground.tasks.text"}]


def imported(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out |= {f"{node.module}.{a.name}" if node.module == "playground" or node.module.endswith((".views", ".web"))
                    else node.module for a in node.names}
    return {m for m in out if m.startswith("playground")}


@pytest.mark.parametrize("page", sorted(PAGE_VIEWS))
def test_a_page_imports_the_web_facade_its_views_state_and_errors_only(page):
    own = f"playground.views.{PAGE_VIEWS[page]}"
    for m in imported(ROOT / "pages" / page):
        assert m.startswith(("playground.web.", own)) or m in ("playground.state", "playground.errors"), (page, m)
