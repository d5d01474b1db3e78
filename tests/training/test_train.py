"""Training: the loss against torch's own, determinism, clipping, divergence keeping finite weights,
spectral radius against numpy."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.errors import ConfigError
from playground.training.history import fit, history_csv
from playground.training.trainer import OPTIMIZERS, TrainConfig, Trainer, grad_norms, recurrent_block, spectral_radius

SMALL = dict(hidden=6, batch_size=8, held_out=32)
BLOWS_UP = dict(task="counting", length=40, f="identity", g="identity", optimizer="sgd", lr=1.0, clip=0.0)


def _params(trainer):
    return [p.detach().clone() for p in trainer.model.parameters()]


def test_loss_is_torch_bce_at_each_sequence_last_real_step():
    t = Trainer(TrainConfig(task="parity", length=5, **SMALL))
    batch = t.task.batch(8, length=5, seed=1)  # mixed lengths 1..5
    loss, _, _ = t.loss(batch)
    logits, _ = t.model(batch.x, batch.lengths)
    last = logits[torch.arange(8), batch.lengths - 1, 0]
    ref = F.binary_cross_entropy_with_logits(last, batch.y.float())
    assert torch.allclose(loss, ref)


def test_per_step_loss_uses_only_masked_steps():
    t = Trainer(TrainConfig(task="recall", length=3, **SMALL))
    batch = t.task.batch(8, length=3, seed=1)
    loss, out, _ = t.loss(batch)
    logits, _ = t.model(batch.x)
    ref = F.cross_entropy(logits[:, 3:].reshape(-1, 4), batch.y[:, 3:].reshape(-1))
    assert out.shape[0] == 8 * 12 and torch.allclose(loss, ref)


def test_same_config_same_run_other_seed_other_run():
    a, b, c = (Trainer(TrainConfig(task="sine", length=8, seed=s, **SMALL)) for s in (1, 1, 2))
    la, lb, lc = (tr.train(15).losses for tr in (a, b, c))
    assert la == lb and la != lc
    assert all(torch.equal(p, q) for p, q in zip(_params(a), _params(b)))


def test_clipping_caps_the_sgd_step_at_lr_times_max_norm():
    cfg = TrainConfig(task="counting", length=20, f="identity", g="identity", optimizer="sgd", lr=0.001, clip=0.05,
                      **SMALL)
    t = Trainer(cfg)
    before = _params(t)
    _, norm, _ = t.train_step()
    step = torch.cat([(p - q).ravel() for p, q in zip(_params(t), before)]).norm()
    assert norm > cfg.clip  # the raw gradient was bigger than the cap...
    assert math.isclose(float(step), cfg.lr * cfg.clip, rel_tol=1e-4)  # ...and the step used the cap


def test_without_clipping_the_sgd_step_is_lr_times_the_gradient_norm():
    cfg = TrainConfig(task="counting", length=20, f="identity", g="identity", optimizer="sgd", lr=0.001, clip=0.0,
                      **SMALL)
    t = Trainer(cfg)
    before = _params(t)
    _, norm, _ = t.train_step()
    step = torch.cat([(p - q).ravel() for p, q in zip(_params(t), before)]).norm()
    assert math.isclose(float(step), cfg.lr * norm, rel_tol=1e-4)


def test_a_diverging_run_stops_at_once_and_keeps_the_last_finite_weights():
    t = Trainer(TrainConfig(**BLOWS_UP, hidden=8))
    tick = t.train(200)
    d = tick.divergence
    assert d is not None and t.divergence is d
    assert t.step == d.step - 1 and tick.steps <= d.step  # stopped right at the update that blew up
    assert f"kept the weights from step {t.step}" in d.message
    assert all(torch.isfinite(p).all() for p in t.model.parameters())
    assert "exploded at step" in d.message and "clipping" in d.message and "identity" in d.message
    assert t.train(10).steps == 0  # stays paused until resumed
    kept = _params(t)
    t.set_hyper(lr=1e-4, clip=1.0)
    t.resume()
    assert t.train(5).steps == 5 and t.divergence is None
    assert not all(torch.equal(p, q) for p, q in zip(kept, _params(t)))


def test_weights_broken_by_the_last_update_are_rolled_back_to_the_step_before():
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    t.train(2)
    after_two = _params(t)
    t.train(1)
    with torch.no_grad():  # pretend update 3 overflowed
        t.model.W_hy.fill_(float("inf"))
    loss, _, _ = t.train_step()
    assert math.isnan(loss) and t.divergence.where == "loss" and t.divergence.step == 3
    assert t.step == 2 and all(torch.equal(p, q) for p, q in zip(_params(t), after_two))


def test_a_time_budget_cuts_a_tick_short_but_always_trains_a_step():
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    tick = t.train(1000, time_budget=0.0)
    assert tick.steps == len(tick.losses) == t.step == 1
    assert t.train(3).steps == 3 and t.step == 4


def test_set_hyper_keeps_weights_and_changes_the_optimizer():
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    t.train(3)
    w = _params(t)
    t.set_hyper(lr=0.3)
    assert t.opt.param_groups[0]["lr"] == 0.3 and t.step == 3
    t.set_hyper(optimizer="sgd")
    assert isinstance(t.opt, torch.optim.SGD) and t.cfg.optimizer == "sgd"
    assert all(torch.equal(p, q) for p, q in zip(w, _params(t)))


@pytest.mark.parametrize("cell,block", [("rnn", 0), ("lstm", 2), ("gru", 2)])
def test_spectral_radius_is_numpys_largest_eigenvalue_of_the_candidate_block(cell, block):
    t = Trainer(TrainConfig(task="parity", length=4, cell=cell, **SMALL))
    H = 6
    W = t.model.W_hh.detach().numpy()[block * H:(block + 1) * H]
    assert np.allclose(recurrent_block(t.model).numpy(), W)
    assert math.isclose(spectral_radius(t.model), float(np.abs(np.linalg.eigvals(W)).max()), rel_tol=1e-6)


def test_grad_norms_match_autograd_on_the_trace():
    t = Trainer(TrainConfig(task="adding", length=7, **SMALL))
    batch = t.held_out[0:4]
    norms = grad_norms(t, batch)
    tr = t.model.trace(batch.x)
    for h in tr.steps:
        h.retain_grad()
    t.model.g.loss(tr.logits[:, -1], batch.y.float().unsqueeze(-1)).backward()
    ref = torch.stack([h.grad.norm(dim=-1).mean() for h in tr.steps])
    assert norms.shape == (7,) and torch.allclose(norms, ref, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("bad", [dict(hidden=0), dict(hidden=65), dict(lr=0.0), dict(lr=float("nan")),
                                 dict(lr=100.0), dict(batch_size=0), dict(optimizer="lbfgs"), dict(clip=-1.0),
                                 dict(cell="transformer")])
def test_absurd_hyperparameters_are_refused_with_a_message(bad):
    with pytest.raises(ConfigError):
        TrainConfig(**bad)


def test_fit_records_history_and_stops_early():
    # seeds 0-4 under six floating-point paths reached 90% by step 60 (bench/robustness.py train.first_one_by_400)
    res = fit(TrainConfig(task="first_one", length=5, hidden=8, held_out=64), steps=400, eval_every=20, until=0.9)
    h = res.history
    assert h.step.iloc[0] == 0 and list(h.step) == list(range(0, res.trainer.step + 1, 20))
    assert res.metric >= 0.9 and res.trainer.step < 400  # stopped once it reached the target
    assert h.test_metric.iloc[-1] == res.metric and (h.test_metric.iloc[:-1] < 0.9).all()  # ...and not before
    assert "test_metric" in history_csv(h).splitlines()[0]
    head = history_csv(h, "R²", "MSE").splitlines()[0].split(",")
    assert head[:5] == ["step", "train_loss_MSE", "train_R2", "test_loss_MSE", "test_R2"]


OPTIMIZER_CASES = [("sgd", torch.optim.SGD, 0), ("momentum", torch.optim.SGD, 0.9), ("adam", torch.optim.Adam, None),
                   ("rmsprop", torch.optim.RMSprop, 0)]


def test_every_optimizer_on_offer_is_checked_below():
    assert [c[0] for c in OPTIMIZER_CASES] == list(OPTIMIZERS)


@pytest.mark.parametrize("name,kind,momentum", OPTIMIZER_CASES)
def test_each_optimizer_is_the_one_it_names_and_moves_the_weights(name, kind, momentum):
    t = Trainer(TrainConfig(task="parity", length=4, optimizer=name, lr=0.01, **SMALL))
    assert type(t.opt) is kind and t.opt.param_groups[0]["lr"] == 0.01
    if momentum is not None:
        assert t.opt.param_groups[0]["momentum"] == momentum
    before = _params(t)
    assert t.train(3).steps == 3 and t.step == 3
    assert all(not torch.equal(p, q) for p, q in zip(before, _params(t)))  # every parameter moved


def test_the_loop_calls_back_after_every_step_the_one_that_blew_up_included():
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    seen = []
    tick = t.train(7, on_step=lambda tr, loss, norm: seen.append((tr.step, loss, norm)))
    assert [s for s, _, _ in seen] == list(range(1, 8))
    assert tick.losses == [loss for _, loss, _ in seen] and tick.norms == [norm for *_, norm in seen]
    assert tick.grad_norm == pytest.approx(sum(tick.norms) / 7) and all(n > 0 for n in tick.norms)
    boom, calls = Trainer(TrainConfig(**BLOWS_UP, hidden=8)), []
    tick = boom.train(200, on_step=lambda tr, loss, norm: calls.append((tr.divergence, norm)))
    assert len(calls) == tick.steps + 1 and calls[-1][0] is tick.divergence is not None  # told of the blow-up
    assert math.isnan(calls[-1][1]) and all(d is None for d, _ in calls[:-1]) and len(tick.norms) == tick.steps
