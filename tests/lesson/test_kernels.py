"""torch's private fused kernels are used in playground/lesson/kernels.py alone, for one torch version."""
import ast

import pytest
import torch

from conftest import ROOT
from playground.lesson import kernels
from playground.lesson.cells import ModelConfig, RecurrentModel


def test_torch_is_the_version_the_kernels_were_written_for():
    assert torch.__version__.split("+")[0] == kernels.TORCH_VERSION, (
        f"torch {torch.__version__}: check playground/lesson/kernels.py against it, then change TORCH_VERSION")


def test_no_private_torch_outside_the_kernels_module():
    users = []
    for p in (ROOT / "playground").rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) and node.module == "torch" else []
            attr = node.attr if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "torch" else ""
            if any(n.startswith("_") for n in names) or attr.startswith("_"):
                users.append(str(p.relative_to(ROOT)))
    assert set(users) == {"playground/lesson/kernels.py"}, users


@pytest.mark.parametrize("cell, f", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_the_fused_kernel_and_the_readable_trace_agree(cell, f):
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell=cell, hidden_size=5, f=f, input_size=3, output_size=2, g="softmax"))
    x = torch.randn(4, 7, 3)
    assert torch.allclose(model.states(x), model.trace(x).h[:, 1:], atol=1e-5)
