"""The equations on the pages carry the chosen f and g by name (written out here by hand, not from the registry)."""
import pytest

from playground.lesson.activations import HIDDEN, OUTPUT
from playground.lesson.equations import equations, equations_inline, hidden_equation, output_equation

BY_HAND_F = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}", "leaky_relu": r"\mathrm{LeakyReLU}",
             "identity": r"\mathrm{id}"}
BY_HAND_G = {"sigmoid": r"\sigma", "softmax": r"\mathrm{softmax}", "identity": r"\mathrm{id}"}


def test_the_lesson_rnn_with_tanh_and_sigmoid():
    assert hidden_equation("tanh") == r"h_t = \tanh\left(W_{xh}\,x_t + W_{hh}\,h_{t-1} + b_h\right)"
    assert output_equation("sigmoid") == r"y_t = \sigma\left(W_{hy}\,h_t + b_y\right)"


@pytest.mark.parametrize("f", list(HIDDEN))
def test_every_f_is_written_in(f):
    eq = hidden_equation(f)
    assert eq.startswith(f"h_t = {BY_HAND_F[f]}" + r"\left(") and "f(" not in eq and "f\\left" not in eq


@pytest.mark.parametrize("g", list(OUTPUT))
def test_every_g_is_written_in(g):
    eq = output_equation(g)
    assert eq.startswith(f"y_t = {BY_HAND_G[g]}" + r"\left(") and "g\\left" not in eq


@pytest.mark.parametrize("cell,name", [("lstm", "LSTM"), ("gru", "GRU")])
def test_a_gated_cell_names_itself_and_no_f(cell, name):
    eq = equations(cell, "relu", "softmax")
    assert rf"h_t = \mathrm{{{name}}}" in eq and "ReLU" not in eq and r"\mathrm{softmax}" in eq


def test_inline_both_equations_each_one_unbreakable_group():
    """Train live writes them as two pieces of inline math: the row wraps between them, never inside one."""
    out = equations_inline("rnn", "tanh", "softmax")
    first, second = out.split("&emsp;")
    assert first == "${" + hidden_equation("tanh") + "}$"
    assert second == "${" + output_equation("softmax") + "}$"
