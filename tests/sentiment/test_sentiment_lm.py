"""Next-word pretraining: it learns a predictable toy language, touches only what the sentiment model keeps
(embedding and recurrent weights, not the readout), and is deterministic for a seed."""
import math

import torch

from playground.lesson.cells import ModelConfig, RecurrentModel
from playground.sentiment.lm import pretrain_lm


def cycle_corpus(n: int, V: int = 20) -> list[list[int]]:
    """Token ids 2..V-1 counting up and wrapping round: after a word, the next one is certain."""
    return [[2 + (s + t) % (V - 2) for t in range(12)] for s in range(n)]


def test_pretraining_learns_a_predictable_language_and_leaves_the_readout_alone():
    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell="rnn", vocab_size=20, embed_dim=8, hidden_size=8, output_size=1))
    readout = model.W_hy.detach().clone(), model.b_y.detach().clone()
    W_hh = model.W_hh.detach().clone()
    losses = pretrain_lm(model, cycle_corpus(64), epochs=30, lr=0.03, batch_size=16, stream=open("/dev/null", "w"))
    assert losses[0] > 0.5 * math.log(18) and losses[-1] < 0.2 * losses[0]  # guessing costs log(18) nats
    assert torch.equal(model.W_hy, readout[0]) and torch.equal(model.b_y, readout[1])
    assert not torch.equal(model.W_hh, W_hh)


def test_pretraining_is_deterministic_for_a_seed():
    def run(seed):
        torch.manual_seed(0)
        model = RecurrentModel(ModelConfig(cell="gru", vocab_size=20, embed_dim=8, hidden_size=8, output_size=1))
        pretrain_lm(model, cycle_corpus(32), epochs=2, batch_size=8, seed=seed, stream=open("/dev/null", "w"))
        return model.state_dict()
    a, b, c = run(1), run(1), run(2)
    assert all(torch.equal(a[k], b[k]) for k in a) and not all(torch.equal(a[k], c[k]) for k in a)
