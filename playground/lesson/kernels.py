"""torch's fused recurrent kernels (torch._VF.rnn_tanh / rnn_relu / lstm / gru): the one private torch API the
package uses, here alone, written for TORCH_VERSION (tests/lesson/test_kernels.py fails on another version).

Why not public: nn.RNN / nn.LSTM / nn.GRU call these kernels but hold their own weight tensors; the model keeps the
lesson's W_xh, W_hh, b_h as its parameters, and the public way to the kernel with them, torch.func.functional_call
over an nn.RNN, swaps the parameters in and out on every call. bench/bench_kernels.py measures it at Train live's
default size: forward+backward 9-15% slower (RNN 1.135x, LSTM 1.149x, GRU 1.09x on 2026-12-02), on steps that are
most of a live run's time. The truth tests (tests/lesson/test_cells.py) compare every cell with torch.nn's modules.
"""
from __future__ import annotations

from torch import _VF

TORCH_VERSION = "2.13.0"


def fused(cell: str, f_kernel: str | None = None):
    """The kernel of a cell: "rnn" with f's kernel name (rnn_tanh, rnn_relu), "lstm" or "gru"."""
    name = (f_kernel or "rnn_tanh") if cell == "rnn" else cell
    return getattr(_VF, name)
