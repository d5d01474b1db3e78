"""The hand-written backward through time against autograd and finite differences."""
import pytest
import torch

from playground.lesson.activations import HIDDEN
from playground.lesson.bptt import elman


def _autograd_elman(xp, W_hh, h0, mask, f):
    h, out = h0, []
    for t in range(xp.shape[0]):
        new = f.fn(xp[t] + h @ W_hh.T)
        h = new if mask is None else mask[t] * new + (1 - mask[t]) * h
        out.append(h)
    return torch.stack(out)


@pytest.mark.parametrize("f", list(HIDDEN))
@pytest.mark.parametrize("masked", [False, True])
def test_gradcheck_finite_differences(f, masked):
    torch.manual_seed(1)
    T, B, H = 4, 2, 3
    xp = torch.randn(T, B, H, dtype=torch.double, requires_grad=True)
    W = (0.5 * torch.randn(H, H, dtype=torch.double)).requires_grad_()
    h0 = torch.randn(B, H, dtype=torch.double, requires_grad=True)
    mask = torch.tensor([[1, 1], [1, 1], [1, 0], [1, 0]], dtype=torch.double).unsqueeze(-1) if masked else None
    assert torch.autograd.gradcheck(lambda a, w, h: elman(a, w, h, mask, HIDDEN[f]), (xp, W, h0),
                                    eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("f", list(HIDDEN))
def test_matches_autograd_loop(f):
    torch.manual_seed(2)
    T, B, H = 9, 4, 6
    mask = (torch.arange(T).unsqueeze(1) < torch.tensor([9, 5, 2, 7])).double().unsqueeze(-1)
    args = [torch.randn(T, B, H, dtype=torch.double), 0.4 * torch.randn(H, H, dtype=torch.double),
            torch.randn(B, H, dtype=torch.double)]
    a = [t.clone().requires_grad_() for t in args]
    b = [t.clone().requires_grad_() for t in args]
    out_a = elman(*a, mask, HIDDEN[f])
    out_b = _autograd_elman(*b, mask, HIDDEN[f])
    torch.testing.assert_close(out_a, out_b)
    w = torch.randn_like(out_a)
    (out_a * w).sum().backward()
    (out_b * w).sum().backward()
    for ga, gb in zip(a, b):
        torch.testing.assert_close(ga.grad, gb.grad)
