"""Pretraining as a next-word language model on unlabelled reviews, before the sentiment labels (Dai and Le 2015,
"Semi-supervised Sequence Learning"): the lesson's first use of an RNN, "predict the next element".

The head W_hv h_t -> P(x_{t+1}) over the 10,000 words is only needed here and is thrown away; what the sentiment
model keeps is its embedding, W_xh, W_hh and b_h. The head is torch's adaptive softmax (the frequent words get
the full 32 dimensions, rare ones fewer), which makes a next-word step several times cheaper on a CPU.
"""
from __future__ import annotations

import random
from typing import Sequence, TextIO

import torch

from playground.lesson.cells import RecurrentModel
from playground.sentiment.data import pad
from playground.sentiment.progress import Progress
from playground.training.loop import update

CUTOFFS = [500, 3000]  # word ids below 500, 500-2999 and 3000+ form the adaptive softmax's three groups


def pretrain_lm(model: RecurrentModel, seqs: Sequence[Sequence[int]], epochs: int = 1, lr: float = 3e-3,
                batch_size: int = 32, clip: float = 1.0, seed: int = 0, stream: TextIO | None = None,
                label: str = "") -> list[float]:
    """Train model's embedding and recurrent weights to predict each next token of `seqs` (token-id lists).

    Returns the mean next-word loss (nats) of each epoch. The model's readout W_hy, b_y is left untouched.
    """
    H, V = model.config.hidden_size, model.config.vocab_size
    seqs = [list(s) for s in seqs if len(s) >= 2]
    if not seqs:
        return []
    torch.manual_seed(seed)
    cutoffs = [c for c in CUTOFFS if c < V - 1] or [V // 2]  # a toy vocabulary: two groups
    head = torch.nn.AdaptiveLogSoftmaxWithLoss(H, V, cutoffs=cutoffs, div_value=4.0)
    params = [p for name, p in model.named_parameters() if name not in ("W_hy", "b_y")] + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    rng = random.Random(seed)
    n_batches = (len(seqs) + batch_size - 1) // batch_size
    bar = Progress(f"{label or model.config.cell} next-word pretraining", epochs * n_batches, stream)
    losses, step = [], 0
    model.train()
    for epoch in range(1, epochs + 1):
        order = list(range(len(seqs)))
        rng.shuffle(order)
        total = 0.0
        for b in range(0, len(order), batch_size):
            x, lengths = pad([seqs[i] for i in order[b:b + batch_size]])  # (B, T)
            hs = model.states(x, lengths)  # (B, T, H)
            mask = torch.arange(x.shape[1] - 1).unsqueeze(0) < (lengths - 1).unsqueeze(1)  # (B, T-1)
            loss = head(hs[:, :-1][mask], x[:, 1:][mask]).loss  # h_t predicts x_{t+1}
            update(loss, params, opt, clip, skip_nonfinite=False)
            total += loss.item()
            step += 1
            bar.update(step, f"epoch {epoch}/{epochs} next-word loss {total / (b // batch_size + 1):.2f}")
        losses.append(total / n_batches)
    bar.close(f"next-word loss {losses[-1]:.2f} nats")
    return losses
