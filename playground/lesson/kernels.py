"""torch's fused recurrent kernels (torch._VF.rnn_tanh / rnn_relu / lstm / gru): the one private torch API the
package uses, here alone, written for TORCH_VERSION (tests/lesson/test_kernels.py fails on another version).

Why not public: nn.RNN / nn.LSTM / nn.GRU call these kernels, but hold their own weight tensors; the model keeps
the lesson's W_xh, W_hh, b_h as its parameters, and reaching the kernel through torch.func.functional_call over an
nn.RNN adds a parameter swap to every step of a run whose steps take well under a millisecond. The truth tests
(tests/lesson/test_cells.py) compare every cell with torch.nn's modules.
"""
from __future__ import annotations

from torch import _VF

TORCH_VERSION = "2.13.0"


def fused(cell: str, f_kernel: str | None = None):
    """The kernel of a cell: "rnn" with f's kernel name (rnn_tanh, rnn_relu), "lstm" or "gru"."""
    name = (f_kernel or "rnn_tanh") if cell == "rnn" else cell
    return getattr(_VF, name)
