"""Elman recurrence with a hand-written backward through time, for any f (the fast path where torch has no kernel).

Input is the hoisted input projection xp = x W_xh^T + b_h, so the time loop only does h_{t-1} W_hh^T.
The backward pass loops only over the recurrence dh_{t-1} = (dh_t * f'(a_t)) W_hh; the weight gradient
is one matrix product over all steps after the loop.
"""
from __future__ import annotations

import torch

from playground.lesson.activations import Hidden

Tensor = torch.Tensor


class ElmanRecurrence(torch.autograd.Function):
    """(xp (T,B,H), W_hh (H,H), h0 (B,H), mask (T,B,1) or None, f) -> h_1..h_T (T,B,H), time-major.

    Where mask is 0 (padding) the state is carried: h_t = h_{t-1}.
    """

    @staticmethod
    def forward(ctx, xp: Tensor, W_hh: Tensor, h0: Tensor, mask: Tensor | None, f: Hidden) -> Tensor:
        T = xp.shape[0]
        A = torch.empty_like(xp)  # pre-activations a_t
        Hs = torch.empty_like(xp)  # h_t
        Wt = W_hh.t()
        h = h0
        for t in range(T):
            torch.addmm(xp[t], h, Wt, out=A[t])
            f.out(A[t], Hs[t])
            if mask is not None:
                torch.lerp(h, Hs[t], mask[t], out=Hs[t])  # m=1: new state, m=0: carried
            h = Hs[t]
        ctx.f = f
        ctx.save_for_backward(A, Hs, W_hh, h0, mask)
        return Hs

    @staticmethod
    def backward(ctx, dHs: Tensor):
        A, Hs, W_hh, h0, mask = ctx.saved_tensors
        D = ctx.f.grad(A, Hs)  # f'(a_t), (T,B,H), computed once for all steps
        if mask is not None:
            D = D * mask
            carry = 1 - mask
        dA = torch.empty_like(A)
        T = A.shape[0]
        dh = dHs[T - 1].clone()
        for t in range(T - 1, -1, -1):
            torch.mul(dh, D[t], out=dA[t])
            nxt = dA[t] @ W_hh
            if mask is not None:
                nxt.addcmul_(dh, carry[t])
            if t > 0:
                nxt.add_(dHs[t - 1])
            dh = nxt
        H = A.shape[-1]
        h_prev = torch.cat([h0.unsqueeze(0), Hs[:-1]], dim=0)
        dW = dA.reshape(-1, H).t() @ h_prev.reshape(-1, H)
        return dA, dW, dh, None, None


def elman(xp: Tensor, W_hh: Tensor, h0: Tensor, mask: Tensor | None, f: Hidden) -> Tensor:
    """Functional entry point, see ElmanRecurrence."""
    return ElmanRecurrence.apply(xp, W_hh, h0, mask, f)
