"""The lesson's two equations as LaTeX with the chosen cell, f and g written in (for st.latex on the pages)."""
from __future__ import annotations

from playground.lesson.activations import HIDDEN, OUTPUT

# The gated cells have no f to choose: sigmoid gates and tanh are built in (their full equations are on the
# Why LSTM & GRU page).
GATED = {"lstm": r"\mathrm{LSTM}\left(x_t,\, h_{t-1},\, c_{t-1}\right)", "gru": r"\mathrm{GRU}\left(x_t,\, h_{t-1}\right)"}


def hidden_equation(f: str, cell: str = "rnn") -> str:
    """h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h) for the RNN with f = tanh; h_t = LSTM(...) for a gated cell."""
    if cell in GATED:
        return rf"h_t = {GATED[cell]}"
    return rf"h_t = {HIDDEN[f].latex}\left(W_{{xh}}\,x_t + W_{{hh}}\,h_{{t-1}} + b_h\right)"


def output_equation(g: str) -> str:
    """y_t = sigma(W_hy h_t + b_y) for g = sigmoid."""
    return rf"y_t = {OUTPUT[g].latex}\left(W_{{hy}}\,h_t + b_y\right)"


def equations(cell: str, f: str, g: str) -> str:
    """Both equations on one line."""
    return hidden_equation(f, cell) + r" \quad " + output_equation(g)


def equations_inline(cell: str, f: str, g: str) -> str:
    """Both equations as two pieces of inline math for st.markdown: side by side where the row is wide enough,
    one under the other where it is not (a display equation would be cut off: "y_t = softmax(W_hy h" at 1024 px).
    Each is one group ({...}), so KaTeX never breaks it after its "="."""
    return "&emsp;".join(f"${{{eq}}}$" for eq in (hidden_equation(f, cell), output_equation(g)))
