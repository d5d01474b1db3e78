"""Gradient flow: the package's ||dL/dh_t|| and ||dh_T/dh_t|| against direct autograd, exact geometric decay."""
import math

import numpy as np
import pytest
import torch

from playground.lesson.cells import ModelConfig, RecurrentModel
from playground.errors import ConfigError
from playground.training.gradflow import CONTENDERS, build, grad_norms, init_W_hh, jacobian_norms, spectrum
from playground.training.race import TASK, set_memory_bias

B, T, H = 3, 9, 5
V, K = TASK.vocab_size, 8


def _direct_norms(model: RecurrentModel, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """||dL/dh_t|| from torch.nn.RNNCell/LSTMCell/GRUCell holding the model's weights, via retain_grad."""
    cfg = model.config
    E = cfg.in_features
    cells = {"rnn": lambda: torch.nn.RNNCell(E, H), "lstm": lambda: torch.nn.LSTMCell(E, H),
             "gru": lambda: torch.nn.GRUCell(E, H)}
    ref = cells[cfg.cell]()
    f = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[cfg.f]
    with torch.no_grad():
        ref.weight_ih.copy_(model.W_xh)
        ref.weight_hh.copy_(model.W_hh)
        ref.bias_ih.copy_(model.b_h)
        ref.bias_hh.copy_(model.b_hh if cfg.cell == "gru" else torch.zeros_like(model.b_h))
    xe = model.embedding(x).detach()
    h = torch.zeros(x.shape[0], H)
    c = torch.zeros(x.shape[0], H)
    hs = []
    for t in range(x.shape[1]):
        if cfg.cell == "lstm":
            h, c = ref(xe[:, t], (h, c))
        elif cfg.cell == "gru":
            h = ref(xe[:, t], h)
        else:  # h_t = f(W_xh x_t + W_hh h_{t-1} + b_h), any f (RNNCell knows only tanh and relu)
            h = f(xe[:, t] @ ref.weight_ih.T + h @ ref.weight_hh.T + ref.bias_ih + ref.bias_hh)
        h.retain_grad()
        hs.append(h)
    logits = h @ model.W_hy.detach().T + model.b_y.detach()
    torch.nn.functional.cross_entropy(logits, target).backward()
    return torch.stack([h.grad.norm(dim=-1).mean() for h in hs])


@pytest.mark.parametrize("key", list(CONTENDERS))
def test_grad_norms_equal_direct_autograd(key):
    model = build(CONTENDERS[key], H, init="orthogonal", scale=0.9, seed=1, memory_bias=0.5)
    gen = torch.Generator().manual_seed(2)
    x, y = torch.randint(1, V, (B, T), generator=gen), torch.randint(0, K, (B,), generator=gen)
    ours = torch.from_numpy(grad_norms(model, x, y))
    assert ours.shape == (T,)
    torch.testing.assert_close(ours, _direct_norms(model, x, y), rtol=1e-4, atol=1e-9)


def _linear_rnn(scale: float, seed: int = 0) -> RecurrentModel:
    torch.manual_seed(seed)
    model = RecurrentModel(ModelConfig(cell="rnn", f="identity", hidden_size=H, g="softmax", output_size=K,
                                       input_size=3)).double()
    init_W_hh(model, "orthogonal", scale, seed)
    return model


@pytest.mark.parametrize("scale", [0.5, 1.5])
def test_orthogonal_times_scale_with_identity_f_is_exactly_geometric(scale):
    # With f = identity the step Jacobian is W_hh = scale * Q whatever the input, and Q keeps norms:
    # ||dL/dh_{t-1}|| = scale * ||dL/dh_t|| for every sequence, so also for the batch mean.
    model = _linear_rnn(scale)
    x = torch.randn(B, T, 3, dtype=torch.double)
    norms = grad_norms(model, x, torch.tensor([0, 1, 3]))
    np.testing.assert_allclose(norms[:-1] / norms[1:], scale, rtol=1e-9)
    np.testing.assert_allclose(jacobian_norms(model, x), scale ** np.arange(T - 1, -1, -1.0), rtol=1e-9)


def test_jacobian_norm_equals_dense_jacobian_and_bounds_the_gradient():
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell="rnn", f="tanh", hidden_size=H, input_size=2)).double()
    x = torch.randn(1, 6, 2, dtype=torch.double)
    xp = x[0] @ model.W_xh.detach().T + model.b_h.detach()

    def h_T_from(t, h):  # run steps t+1..T from state h_t
        for s in range(t, 6):
            h = torch.tanh(xp[s] + h @ model.W_hh.detach().T)
        return h

    tr = model.trace(x)
    expected = [torch.linalg.matrix_norm(torch.autograd.functional.jacobian(
        lambda h, t=t: h_T_from(t, h), tr.h[0, t].detach()), ord=2) for t in range(1, 7)]
    np.testing.assert_allclose(jacobian_norms(model, x), torch.stack(expected).numpy(), rtol=1e-7)
    g = grad_norms(model, x, torch.tensor([1.0]))  # one sequence: ||dL/dh_t|| <= ||dh_T/dh_t|| ||dL/dh_T||
    assert np.all(g <= jacobian_norms(model, x) * g[-1] * (1 + 1e-9))


def test_spectrum_of_scaled_orthogonal_blocks_has_radius_scale():
    model = build(CONTENDERS["lstm"], 6, init="orthogonal", scale=0.7)
    spec = spectrum(model)
    assert list(spec.blocks) == ["W_hi", "W_hf", "W_hg", "W_ho"]
    for ev in spec.blocks.values():
        np.testing.assert_allclose(np.abs(ev), 0.7, rtol=1e-6)  # every eigenvalue of s*Q lies on |λ| = s
    assert spectrum(build(CONTENDERS["rnn_tanh"], 6)).radius.keys() == {"W_hh"}


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, 11.0])
def test_bad_scale_is_a_friendly_error(bad):
    with pytest.raises(ConfigError, match="scale"):
        build(CONTENDERS["gru"], 4, scale=bad)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_memory_gate_bias_sets_the_gate_and_lets_gradient_survive(cell):
    def first_step_norm(bias):
        model = build(CONTENDERS[cell], 8, seed=3, memory_bias=bias)
        gen = torch.Generator().manual_seed(4)
        return grad_norms(model, torch.randint(1, V, (4, 40), generator=gen), torch.tensor([0, 1, 2, 3]))[0]

    model = build(CONTENDERS[cell], 8, memory_bias=2.5)
    tr = model.trace(torch.randint(1, V, (2, 5)))
    gate = tr.gates["f" if cell == "lstm" else "z"]
    assert float(gate.detach().mean()) > 0.8  # sigmoid(2.5) = 0.92, moved a little by W_xh x_t + W_hh h_{t-1}
    assert first_step_norm(3.0) > 1e3 * first_step_norm(-1.0)


def test_rnn_has_no_memory_gate_and_is_left_alone():
    model = build(CONTENDERS["rnn_tanh"], 4, memory_bias=0.0)
    before = model.b_h.detach().clone()
    set_memory_bias(model, 5.0)
    assert torch.equal(model.b_h.detach(), before)


def test_a_jacobian_product_that_overflows_is_inf_not_an_error():
    """ReLU with a large W_hh overflows float32 on a long sequence (the page's T=201, H=64, scale 4 did):
    the norms there are inf, the short products at the end stay finite, and nothing raises."""
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell="rnn", f="relu", hidden_size=4, input_size=1))
    with torch.no_grad():
        model.W_hh.copy_(60 * torch.eye(4))
        model.b_h.fill_(1.0)
    norms = jacobian_norms(model, torch.ones(2, 40, 1))
    assert norms.shape == (40,) and np.isinf(norms[0]) and norms[-1] == pytest.approx(1.0)
    assert np.isfinite(norms[-5:]).all()


@pytest.mark.parametrize("key", list(CONTENDERS))
def test_per_sequence_the_jacobian_norm_bounds_the_fraction_of_gradient_that_reaches_each_step(key):
    """What the page's caption says: ||dL/dh_t|| / ||dL/dh_T|| <= ||dh_T/dh_t|| for each sequence, every cell."""
    from playground.training.gradflow import FlowSetup

    setup = FlowSetup(T=15, hidden=8, scale=1.5)
    model, probe = setup.model(key), setup.probe()
    for i in range(4):
        x, y = probe.x[i:i + 1], probe.y[i:i + 1]
        g, j = grad_norms(model, x, y), jacobian_norms(model, x)
        assert np.all(g / g[-1] <= j * (1 + 1e-5) + 1e-12), (key, i)
