"""Registries: every f's derivative matches autograd; every g's loss matches torch's on its outputs."""
import pytest
import torch

from playground.lesson.activations import HIDDEN, OUTPUT, hidden, output
from playground.errors import ConfigError


@pytest.mark.parametrize("name", list(HIDDEN))
def test_grad_matches_autograd_and_out_matches_fn(name):
    f = HIDDEN[name]
    a = torch.randn(50, dtype=torch.double, requires_grad=True)
    h = f.fn(a)
    (auto,) = torch.autograd.grad(h.sum(), a)
    torch.testing.assert_close(f.grad(a.detach(), h.detach()), auto)
    out = torch.empty_like(a.detach())
    f.out(a.detach(), out)
    torch.testing.assert_close(out, h.detach())
    lo, hi = f.range
    assert (h >= lo).all() and (h <= hi).all()


def test_losses_match_their_definitions():
    z = torch.randn(4, 3)
    y = torch.tensor([0, 2, 1, 2])
    expected = -torch.log_softmax(z, -1)[torch.arange(4), y].mean()
    torch.testing.assert_close(OUTPUT["softmax"].loss(z, y), expected)
    z1, t1 = torch.randn(4, 1), torch.tensor([0.0, 1.0, 1.0, 0.0])
    p = torch.sigmoid(z1[:, 0])
    torch.testing.assert_close(OUTPUT["sigmoid"].loss(z1, t1), -(t1 * p.log() + (1 - t1) * (1 - p).log()).mean())
    torch.testing.assert_close(OUTPUT["identity"].loss(z1, t1), ((z1[:, 0] - t1) ** 2).mean())


def test_unknown_names_raise_with_the_choices():
    with pytest.raises(ConfigError, match="tanh"):
        hidden("swish")
    with pytest.raises(ConfigError, match="softmax"):
        output("tanh")
