"""Streamlit's private API is used in playground/web/internals.py alone, written for one version: a Streamlit
upgrade fails here first, loudly, so that each use is read again against the new version."""
import ast
from pathlib import Path

import streamlit as st

from conftest import ROOT
from playground.web import internals


def test_streamlit_is_the_version_the_private_uses_were_written_for():
    assert st.__version__ == internals.STREAMLIT_VERSION, (
        f"Streamlit {st.__version__} is not {internals.STREAMLIT_VERSION}: check every function of "
        "playground/web/internals.py against it, then change STREAMLIT_VERSION")
    assert f"streamlit=={internals.STREAMLIT_VERSION}" in (ROOT / "requirements.txt").read_text()


def private_uses(path: Path) -> list[str]:
    """streamlit.runtime / .elements / .proto imports and st._name attributes in one file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit.") \
                and node.module.split(".")[1] in ("runtime", "elements", "proto"):
            out.append(node.module)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "st" \
                and node.attr.startswith("_"):
            out.append(f"st.{node.attr}")
    return out


def test_no_private_streamlit_outside_internals():
    files = [p for p in (ROOT / "playground").rglob("*.py")] + [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    found = {str(p.relative_to(ROOT)): u for p in files if (u := private_uses(p))}
    assert set(found) == {"playground/web/internals.py"}, found
