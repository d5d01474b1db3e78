"""The toy tasks' data: a `Batch` (inputs, targets, which steps are scored) and the seeded generators.

Every generator is a pure function of (n, length, torch.Generator) -> Batch: the same generator state gives
the same sequences. playground.tasks.base says what each task asks of the model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

Tensor = torch.Tensor


@dataclass
class Batch:
    """x: (B, T) token ids, (B, T) reals or (B, T, I) real vectors. y: (B,) one target per sequence
    (read at its last step) or (B, T) a target per step. mask: (B, T) bool, the per-step targets that
    count (None: all). lengths: (B,) real lengths, or None when every sequence is T long."""

    x: Tensor
    y: Tensor
    mask: Tensor | None = None
    lengths: Tensor | None = None

    @property
    def per_step(self) -> bool:
        return self.y.dim() == 2

    def last_index(self) -> Tensor:  # (B,) index of each sequence's last real step
        B, T = self.x.shape[:2]
        return torch.full((B,), T - 1, dtype=torch.long) if self.lengths is None else self.lengths.long() - 1

    def scored(self, logits: Tensor) -> tuple[Tensor, Tensor]:
        """logits (B, T, O) -> (outputs (N, O), targets (N,)) at the scored steps only."""
        if not self.per_step:
            return logits[torch.arange(logits.shape[0]), self.last_index()], self.y
        if self.mask is None:
            return logits.reshape(-1, logits.shape[-1]), self.y.reshape(-1)
        return logits[self.mask], self.y[self.mask]

    def step_mask(self) -> Tensor:
        """(B, T) bool: the steps where a target exists (for drawing targets under the probe)."""
        B, T = self.x.shape[:2]
        if self.per_step:
            return torch.ones(B, T, dtype=torch.bool) if self.mask is None else self.mask
        m = torch.zeros(B, T, dtype=torch.bool)
        m[torch.arange(B), self.last_index()] = True
        return m

    def __getitem__(self, i) -> "Batch":
        """Rows of the batch (a slice keeps the batch dimension)."""
        pick = lambda t: None if t is None else t[i]  # noqa: E731
        return Batch(self.x[i], self.y[i], pick(self.mask), pick(self.lengths))


# ---- generators: pure functions of (n, length, gen) ----

def _bits(n: int, T: int, gen: torch.Generator, p: float = 0.5) -> Tensor:
    return (torch.rand(n, T, generator=gen) < p).float()


def sample_parity(n: int, T: int, gen: torch.Generator) -> Batch:
    """T random bits; the target is their XOR (1 when the number of ones is odd)."""
    x = _bits(n, T, gen)
    return Batch(x, (x.sum(1) % 2).long())


def sample_parity_mixed(n: int, T: int, gen: torch.Generator) -> Batch:
    """Training form of parity: each sequence has 1..T bits (uniform), zero-padded to T. With only the
    full length, every answer looks like a coin flip until the model has it all; short sequences (XOR of
    one, two, three bits) give the gradient an easy start."""
    x = _bits(n, T, gen)
    lengths = torch.randint(1, T + 1, (n,), generator=gen)
    x = x * (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1))
    return Batch(x, (x.sum(1) % 2).long(), None, lengths)


FIRST_K = 3


def sample_first_one(n: int, T: int, gen: torch.Generator) -> Batch:
    """T bits; the target says whether a 1 appeared in the first 3 steps. Those bits are 1 with
    probability 1 - 0.5^(1/3), so half the answers are yes; later bits are noise."""
    k = min(FIRST_K, T)
    p = 1 - 0.5 ** (1 / k)
    head = _bits(n, k, gen, p)
    x = torch.cat([head, _bits(n, T - k, gen)], dim=1)
    return Batch(x, (head.sum(1) > 0).long())


def _balanced(seqs: Tensor) -> Tensor:
    """seqs (N, T) of +1 '(' / -1 ')' -> (N,) bool: never below zero and ending at zero."""
    depth = seqs.cumsum(1)
    return (depth.min(1).values >= 0) & (depth[:, -1] == 0)


def sample_brackets(n: int, T: int, gen: torch.Generator) -> Batch:
    """Strings of T brackets (T even; odd T is rounded down). Half are balanced. Of the rest, most hold as
    many ( as ) but close one too early, so counting alone is not enough; a quarter have one bracket flipped."""
    T = max(2, T - T % 2)
    half = T // 2
    base = torch.cat([torch.ones(half), -torch.ones(half)])
    want_pos, want_neg = n - n // 2, n // 2
    pos, neg = [], []
    have_pos = have_neg = 0
    while have_pos < want_pos or have_neg < want_neg:
        m = 4 * (half + 1) * max(want_pos, 1)
        perm = torch.argsort(torch.rand(m, T, generator=gen), dim=1)
        cand = base[perm]
        ok = _balanced(cand)
        pos.append(cand[ok][: want_pos - have_pos])
        neg.append(cand[~ok][: want_neg - have_neg])
        have_pos += len(pos[-1])
        have_neg += len(neg[-1])
    p, q = torch.cat(pos), torch.cat(neg)
    flip = torch.rand(len(q), generator=gen) < 0.25  # some negatives: one bracket flipped in a balanced string
    if flip.any():
        where = torch.randint(0, T, (int(flip.sum()),), generator=gen)
        src = p[torch.randint(0, len(p), (int(flip.sum()),), generator=gen)].clone()
        src[torch.arange(len(src)), where] *= -1
        q[flip] = src
    seqs = torch.cat([p, q])
    y = torch.cat([torch.ones(len(p)), torch.zeros(len(q))]).long()
    order = torch.randperm(n, generator=gen)
    x = torch.where(seqs > 0, 1, 2)[order]  # token ids: 1 "(", 2 ")"
    return Batch(x.long(), y[order])


RECALL_SYMBOLS = 4
RECALL_SCORED = 12  # steps after the delay that carry a target


def sample_recall(n: int, k: int, gen: torch.Generator) -> Batch:
    """k + 12 random symbols A..D; at step t >= k the target is the symbol seen k steps earlier."""
    T = k + RECALL_SCORED
    s = torch.randint(0, RECALL_SYMBOLS, (n, T), generator=gen)
    y = torch.full((n, T), -1, dtype=torch.long)
    y[:, k:] = s[:, :-k] if k else s
    mask = torch.zeros(n, T, dtype=torch.bool)
    mask[:, k:] = True
    return Batch(s + 1, y, mask)


def sample_counting(n: int, T: int, gen: torch.Generator) -> Batch:
    """T symbols from a, b; at every step the target is how many a's have been seen so far."""
    s = (torch.rand(n, T, generator=gen) < 0.5).long()  # 1 = a, 0 = b
    return Batch(torch.where(s == 1, 1, 2), s.cumsum(1))


SINE_NOISE = 0.1
SINE_WARMUP = 3  # first steps carry no target: nobody can tell the phase from fewer points


def sample_sine(n: int, T: int, gen: torch.Generator) -> Batch:
    """A sum of two sines with random frequencies and phases, plus Gaussian noise (sd 0.1). At step t the
    target is the clean signal at step t+1."""
    t = torch.arange(T + 1, dtype=torch.float32)
    w = 0.2 + 0.4 * torch.rand(n, 2, 1, generator=gen)  # radians per step
    phase = 2 * math.pi * torch.rand(n, 2, 1, generator=gen)
    amp = torch.tensor([0.7, 0.3]).reshape(1, 2, 1)
    clean = (amp * torch.sin(w * t + phase)).sum(1)  # (n, T+1)
    x = clean[:, :-1] + SINE_NOISE * torch.randn(n, T, generator=gen)
    mask = torch.zeros(n, T, dtype=torch.bool)
    mask[:, min(SINE_WARMUP, T - 1):] = True
    return Batch(x, clean[:, 1:], mask)


def sample_adding(n: int, T: int, gen: torch.Generator) -> Batch:
    """Hochreiter & Schmidhuber's adding problem: x_t = (value in 0..1, marker). Exactly two markers are 1,
    one in each half; the target is the sum of the two marked values (always predicting 1 gives R² = 0)."""
    values = torch.rand(n, T, generator=gen)
    half = max(T // 2, 1)
    a = torch.randint(0, half, (n,), generator=gen)
    b = torch.randint(half, T, (n,), generator=gen) if T > 1 else a
    marks = torch.zeros(n, T)
    rows = torch.arange(n)
    marks[rows, a] = 1
    marks[rows, b] = 1
    y = (values * marks).sum(1)
    return Batch(torch.stack([values, marks], dim=-1), y)
