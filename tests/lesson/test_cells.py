"""Truth tests: our cells equal torch's, y_t is g of the readout, masking keeps final states, both paths agree."""
import math

import pytest
import torch

from playground.lesson.activations import HIDDEN, LEAKY_SLOPE
from playground.lesson.cells import (CELLS, ModelConfig, RecurrentModel, hidden_grad_norms, last_step_loss, load_model,
                              n_params, save_model)
from playground.errors import ConfigError

torch.manual_seed(0)
B, T, E, H = 3, 7, 4, 5


def _torch_twin(model: RecurrentModel) -> torch.nn.RNNBase:
    """A torch.nn.RNN/LSTM/GRU holding exactly our weights."""
    cfg = model.config
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cfg.cell]
    extra = {"nonlinearity": cfg.f} if cfg.cell == "rnn" else {}
    ref = kind(cfg.in_features, cfg.hidden_size, batch_first=True, **extra)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(model.W_xh)
        ref.weight_hh_l0.copy_(model.W_hh)
        ref.bias_ih_l0.copy_(model.b_h)
        ref.bias_hh_l0.copy_(model.b_hh if cfg.cell == "gru" else torch.zeros_like(model.b_h))
    return ref


ALL = [("rnn", f) for f in HIDDEN] + [("lstm", "tanh"), ("gru", "tanh")]  # f applies to the Elman RNN only
CASES = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]


@pytest.mark.parametrize("cell,f", CASES)
def test_equals_torch_both_paths(cell, f):
    model = RecurrentModel(ModelConfig(cell=cell, f=f, input_size=E, hidden_size=H))
    x = torch.randn(B, T, E)
    ref_out, _ = _torch_twin(model)(x)  # (B, T, H)
    logits, h_last = model(x)
    tr = model.trace(x)
    torch.testing.assert_close(tr.h[:, 1:], ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(h_last, ref_out[:, -1], atol=1e-5, rtol=0)
    torch.testing.assert_close(logits, ref_out @ model.W_hy.T + model.b_y, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell,f", CASES)
def test_gradients_equal_torch(cell, f):
    model = RecurrentModel(ModelConfig(cell=cell, f=f, input_size=E, hidden_size=H))
    ref = _torch_twin(model)
    x = torch.randn(B, T, E)
    model(x)[0].pow(2).sum().backward()
    out, _ = ref(x)
    (out @ model.W_hy.detach().T + model.b_y.detach()).pow(2).sum().backward()
    torch.testing.assert_close(model.W_hh.grad, ref.weight_hh_l0.grad, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(model.W_xh.grad, ref.weight_ih_l0.grad, atol=1e-4, rtol=1e-4)


HAND_WRITTEN = [f for f, h in HIDDEN.items() if h.fused is None]  # their fast path is our own backward through time
LOOP_F = {"sigmoid": torch.sigmoid, "identity": lambda a: a,
          "leaky_relu": lambda a: torch.nn.functional.leaky_relu(a, LEAKY_SLOPE)}


@pytest.mark.parametrize("f", HAND_WRITTEN)
def test_the_hand_written_fast_path_equals_a_step_by_step_torch_loop(f):
    """Forward and every gradient of model(x) against autograd through h_t = f(W_xh x_t + W_hh h_(t-1) + b_h)
    written out step by step with plain torch ops (torch's fused kernels know only tanh and ReLU)."""
    torch.manual_seed(4)
    model = RecurrentModel(ModelConfig(cell="rnn", f=f, input_size=E, hidden_size=H))
    x = torch.randn(B, T, E)
    W_xh, W_hh, b_h, W_hy, b_y = (p.detach().clone().requires_grad_() for p in
                                  (model.W_xh, model.W_hh, model.b_h, model.W_hy, model.b_y))
    h, outs = torch.zeros(B, H), []
    for t in range(T):
        h = LOOP_F[f](x[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        outs.append(h @ W_hy.T + b_y)
    ref = torch.stack(outs, 1)
    logits, _ = model(x)
    torch.testing.assert_close(logits, ref, atol=1e-5, rtol=1e-5)
    logits.pow(2).sum().backward()
    ref.pow(2).sum().backward()
    for ours, theirs in zip((model.W_xh, model.W_hh, model.b_h, model.W_hy, model.b_y), (W_xh, W_hh, b_h, W_hy, b_y)):
        torch.testing.assert_close(ours.grad, theirs.grad, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("cell,f", ALL)
def test_model_gradients_pass_finite_difference_check(cell, f):
    torch.manual_seed(3)
    model = RecurrentModel(ModelConfig(cell=cell, f=f, input_size=2, hidden_size=3)).double()
    x = torch.randn(2, 4, 2, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: model(v, torch.tensor([4, 2]))[1], (x,), eps=1e-6, atol=1e-5)


def test_lstm_trace_has_gates_and_cell_state_consistent():
    model = RecurrentModel(ModelConfig(cell="lstm", input_size=E, hidden_size=H))
    x = torch.randn(B, T, E)
    _, (h_n, c_n) = _torch_twin(model)(x)
    tr = model.trace(x)
    assert set(tr.gates) == {"i", "f", "g", "o"} and tr.c.shape == (B, T + 1, H)
    torch.testing.assert_close(tr.c[:, -1], c_n[0], atol=1e-5, rtol=0)
    # h_t = o_t * tanh(c_t) at every step, from the recorded gates
    torch.testing.assert_close(tr.h[:, 1:], tr.gates["o"] * torch.tanh(tr.c[:, 1:]), atol=1e-6, rtol=0)


@pytest.mark.parametrize("g,O", [("sigmoid", 1), ("softmax", 3), ("identity", 2)])
def test_y_is_g_of_readout_at_every_step(g, O):
    model = RecurrentModel(ModelConfig(g=g, output_size=O, input_size=E, hidden_size=H))
    tr = model.trace(torch.randn(B, T, E))
    z = tr.h[:, 1:] @ model.W_hy.T + model.b_y
    expected = {"sigmoid": torch.sigmoid(z), "softmax": torch.softmax(z, -1), "identity": z}[g]
    assert tr.y.shape == (B, T, O)
    torch.testing.assert_close(tr.y, expected)


@pytest.mark.parametrize("cell,f", ALL)
def test_masking_final_state_equals_unpadded_run(cell, f):
    model = RecurrentModel(ModelConfig(cell=cell, f=f, input_size=E, hidden_size=H))
    x = torch.randn(B, T, E)
    lengths = torch.tensor([T, 3, 1])
    _, h_last = model(x, lengths)
    tr = model.trace(x, lengths)
    for b, n in enumerate(lengths.tolist()):
        alone = model.trace(x[b:b + 1, :n])
        torch.testing.assert_close(h_last[b], alone.h_last[0], atol=1e-5, rtol=0)
        torch.testing.assert_close(tr.h_last[b], alone.h_last[0], atol=1e-5, rtol=0)
        torch.testing.assert_close(tr.y_last[b], alone.y_last[0], atol=1e-5, rtol=0)


def test_masked_gradients_ignore_padding():
    model = RecurrentModel(ModelConfig(f="sigmoid", input_size=E, hidden_size=H))
    x = torch.randn(2, T, E, requires_grad=True)
    _, h_last = model(x, torch.tensor([T, 2]))
    h_last[1].sum().backward()
    assert x.grad[1, 2:].abs().max() == 0 and x.grad[1, :2].abs().max() > 0


def test_token_input_uses_embedding_with_pad_zero():
    model = RecurrentModel(ModelConfig(vocab_size=50, embed_dim=8, hidden_size=H))
    assert model.embedding.weight[0].abs().sum() == 0
    logits, _ = model(torch.tensor([[3, 4, 5]]))
    assert logits.shape == (1, 3, 1)


def test_lesson_model_parameter_count_matches_keras():
    # Keras: Embedding(10000, 32) -> SimpleRNN(32) -> Dense(1): 320000 + (32*32 + 32*32 + 32) + 33
    model = RecurrentModel(ModelConfig(vocab_size=10_000, embed_dim=32, hidden_size=32))
    assert n_params(model) == 320_000 + 2_080 + 33


def test_hidden_grad_norms_match_autograd_through_h():
    model = RecurrentModel(ModelConfig(input_size=E, hidden_size=H))
    x, target = torch.randn(B, T, E), torch.tensor([0.0, 1.0, 1.0])
    norms = hidden_grad_norms(model, x, last_step_loss(model, target))
    # by hand at the last step: L = mean BCE(z), z = W_hy h_T + b_y, so dL/dh_T = (sigmoid(z) - y) / B * W_hy
    tr = model.trace(x)
    z = tr.logits_last
    dz = (torch.sigmoid(z) - target.reshape(-1, 1)) / B
    g = (dz @ model.W_hy).detach()  # dL/dh_T, (B, H)
    h = tr.h.detach()  # (B, T + 1, H), h_0 first
    expected = [g.norm(dim=-1).mean()]
    for t in range(T, 1, -1):  # back through time by hand, tanh: dL/dh_(t-1) = (dL/dh_t * (1 - h_t^2)) W_hh
        g = (g * (1 - h[:, t] ** 2)) @ model.W_hh.detach()
        expected.append(g.norm(dim=-1).mean())
    assert norms.shape == (T,) and model.config.f == "tanh"
    torch.testing.assert_close(norms, torch.stack(expected[::-1]), atol=1e-6, rtol=1e-5)


def test_save_load_roundtrip(tmp_path):
    model = RecurrentModel(ModelConfig(cell="gru", vocab_size=20, embed_dim=4, hidden_size=3))
    save_model(model, tmp_path / "m.pt", extra={"note": "hi"})
    loaded, extra = load_model(tmp_path / "m.pt")
    x = torch.tensor([[1, 2, 3]])
    torch.testing.assert_close(loaded(x)[0], model(x)[0])
    assert extra == {"note": "hi"} and loaded.config == model.config and not loaded.training


@pytest.mark.parametrize("kw", [dict(cell="cnn"), dict(f="swish"), dict(g="tanh"), dict(hidden_size=0),
                                dict(g="softmax", output_size=1)])
def test_bad_configs_raise_student_errors(kw):
    with pytest.raises(ConfigError) as e:
        ModelConfig(**kw)
    assert len(str(e.value)) > 20


def test_default_init_bound():
    """torch's default: every weight uniform in +-1/sqrt(H), so they fill that range (not zeros, not a sliver)."""
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(input_size=E, hidden_size=16))
    bound = 1 / math.sqrt(16)
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        w = getattr(model, name).detach()
        assert w.abs().max() <= bound, name
        if w.numel() >= 16:  # a uniform sample of 16+ values spreads over most of the range
            assert w.abs().max() > 0.7 * bound and abs(float(w.std()) - bound / math.sqrt(3)) < 0.35 * bound, name


@pytest.mark.parametrize("cell,f,expected", [("rnn", "tanh", (-1.0, 1.0)), ("rnn", "sigmoid", (0.0, 1.0)),
                                             ("lstm", "relu", (-1.0, 1.0)), ("gru", "identity", (-1.0, 1.0))])
def test_h_range_is_fs_range_for_the_rnn_and_tanhs_for_gated_cells(cell, f, expected):
    config = ModelConfig(cell=cell, f=f, hidden_size=4, vocab_size=5, embed_dim=3)
    assert config.h_range == expected
    h = RecurrentModel(config).trace(torch.randint(1, 5, (8, 30))).h.detach()
    assert expected[0] <= float(h.min()) and float(h.max()) <= expected[1]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gate_blocks_are_views_in_storage_order(cell):
    model = RecurrentModel(ModelConfig(cell=cell, hidden_size=3, input_size=2))
    c = CELLS[cell]
    for name in ("W_xh", "W_hh", "b_h"):
        parts = [model.block(name, g) for g in c.block_gates]
        assert torch.equal(torch.cat(parts), getattr(model, name)) and all(p.shape[0] == 3 for p in parts)
    with torch.no_grad():
        model.block("W_hh", c.block_gates[-1]).fill_(7.0)  # a view: writing it writes the parameter
    assert torch.all(model.W_hh[-3:] == 7.0)
    with pytest.raises(ConfigError):
        model.block("W_hh", "q")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_candidate_and_memory_blocks_are_the_gates_the_trace_names(cell):
    """Each gate's blocks move the trace's gate of that name: the candidate's tanh to +1; the memory gate, shut at
    t = 1 and open after, keeps the 1 written then (the LSTM's c_t, the GRU's h_t)."""
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell=cell, hidden_size=4, input_size=2))
    c = CELLS[cell]
    with torch.no_grad():
        model.block("b_h", c.candidate).fill_(20.0)
    tr = model.trace(torch.randn(3, 6, 2))
    assert torch.all(tr.gates[c.candidate] > 0.999)
    assert all(torch.all((g > 0) & (g < 1)) for k, g in tr.gates.items() if k != c.candidate)  # sigmoid gates
    # write 1 at t = 1 (memory gate shut, candidate +1), then only keep: the memory gate open, nothing new written
    x = torch.zeros(1, 6, 2)
    x[0, 0, 0] = 1.0
    with torch.no_grad():
        for p in (model.W_xh, model.W_hh, model.b_h, *([model.b_hh] if cell == "gru" else [])):
            p.zero_()
        model.block("b_h", c.candidate).fill_(20.0)
        model.block("b_h", c.memory).fill_(40.0)
        model.block("W_xh", c.memory)[:, 0] = -80.0
        if cell == "lstm":  # the input gate writes at t = 1 only
            model.block("b_h", "i").fill_(-20.0)
            model.block("W_xh", "i")[:, 0] = 40.0
    tr = model.trace(x)
    kept = tr.c[0, 1:] if cell == "lstm" else tr.h[0, 1:]  # (T, H): the memory after each step
    assert torch.allclose(kept, torch.ones(6, 4), atol=1e-4), kept[:, 0]
