"""RNN, LSTM and GRU behind one interface, with the lesson's names for every weight.

    h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)        y_t = g(W_hy h_t + b_y)

`model(x, lengths)` is the fast path for training (torch's kernels where they exist, else a hand-written
backward through time). `model.trace(x, lengths)` is the readable path for views: every h_t, every
pre-activation, y_t at every step, and the LSTM/GRU gates. Both compute the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from playground.lesson import activations, kernels
from playground.lesson.bptt import elman
from playground.errors import ConfigError

Tensor = torch.Tensor


@dataclass(frozen=True)
class Cell:
    """A cell type: how many blocks of H rows W_xh has, the names of its gates in that order, which gate proposes the
    new state (candidate) and which keeps the old one (memory)."""

    name: str
    label: str
    blocks: int
    gates: tuple[str, ...]
    candidate: str | None = None  # its W_hh block feeds the new state (the RNN: all of W_hh)
    memory: str | None = None  # its opening keeps the old state

    @property
    def block_gates(self) -> tuple[str | None, ...]:
        """What RecurrentModel.block takes for each block, in storage order (None: the RNN's one block)."""
        return self.gates or (None,)

    @property
    def block_names(self) -> list[str]:
        """Names of W_hh's H x H blocks in storage order: W_hh (RNN), W_hi..W_ho (LSTM), W_hr..W_hn (GRU)."""
        return [f"W_h{g}" for g in self.gates] if self.gates else ["W_hh"]


CELLS: dict[str, Cell] = {
    c.name: c
    for c in [
        Cell("rnn", "RNN (Elman)", 1, ()),
        Cell("lstm", "LSTM", 4, ("i", "f", "g", "o"), "g", "f"),  # input, forget, candidate, output (torch's order)
        Cell("gru", "GRU", 3, ("r", "z", "n"), "n", "z"),  # reset, update, candidate (torch's order)
    ]
}


@dataclass(frozen=True)
class ModelConfig:
    """Hyperparameters of one model. Token input when vocab_size > 0, else real vectors of input_size."""

    cell: str = "rnn"
    hidden_size: int = 32
    f: str = "tanh"  # hidden activation; the Elman RNN only (LSTM/GRU gates are fixed)
    g: str = "sigmoid"  # output activation; picks the loss
    output_size: int = 1
    vocab_size: int = 0
    embed_dim: int = 32
    input_size: int = 1

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ConfigError(f"Unknown cell {self.cell!r}; choose one of {', '.join(CELLS)}.")
        activations.hidden(self.f)
        activations.output(self.g)
        for name in ("hidden_size", "output_size", "embed_dim", "input_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if self.vocab_size < 0:
            raise ConfigError(f"vocab_size must be 0 (real-valued input) or positive, got {self.vocab_size}.")
        if self.g == "softmax" and self.output_size < 2:
            raise ConfigError("softmax over a single output is always 1, so there is nothing to learn; "
                              "use sigmoid for one output or give softmax two or more classes.")

    @property
    def in_features(self) -> int:
        return self.embed_dim if self.vocab_size else self.input_size

    @property
    def h_range(self) -> tuple[float, float]:
        """The values h_t can take: f's range for the Elman RNN; -1..1 for LSTM (o * tanh(c)) and GRU (a mix
        of tanh candidates). Colour scales of h_t heatmaps are fixed to it."""
        return activations.HIDDEN[self.f].range if self.cell == "rnn" else (-1.0, 1.0)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class Trace:
    """Everything a view needs for one batch. B batch, T steps, H hidden, O outputs.

    Padded steps (t >= length) carry the state, so h[:, -1] is each sequence's final state.
    """

    h: Tensor  # (B, T+1, H): h_0 .. h_T
    pre: Tensor  # (B, T, blocks*H): pre-activations (RNN: a_t; LSTM/GRU: gate pre-activations)
    logits: Tensor  # (B, T, O): W_hy h_t + b_y
    y: Tensor  # (B, T, O): g(logits), at every step
    mask: Tensor  # (B, T) bool: real (not padded) steps
    gates: dict[str, Tensor] = field(default_factory=dict)  # name -> (B, T, H) after their activation
    c: Tensor | None = None  # LSTM cell state (B, T+1, H): c_0 .. c_T
    steps: list[Tensor] = field(default_factory=list, repr=False)  # h_1..h_T as graph nodes, for dL/dh_t

    @property
    def h_last(self) -> Tensor:  # (B, H)
        return self.h[:, -1]

    @property
    def y_last(self) -> Tensor:  # (B, O)
        return self.y[:, -1]

    @property
    def logits_last(self) -> Tensor:  # (B, O)
        return self.logits[:, -1]


class RecurrentModel(nn.Module):
    """[Embedding ->] RNN | LSTM | GRU -> per-step readout W_hy h_t + b_y -> g."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        H, E, O = config.hidden_size, config.in_features, config.output_size
        G = CELLS[config.cell].blocks
        self.embedding = nn.Embedding(config.vocab_size, E, padding_idx=0) if config.vocab_size else None
        self.W_xh = nn.Parameter(torch.empty(G * H, E))
        self.W_hh = nn.Parameter(torch.empty(G * H, H))
        self.b_h = nn.Parameter(torch.empty(G * H))
        if config.cell == "gru":  # GRU keeps its recurrent bias apart: it sits inside r * (W_hn h + b_hn)
            self.b_hh = nn.Parameter(torch.empty(G * H))
        self.W_hy = nn.Parameter(torch.empty(O, H))
        self.b_y = nn.Parameter(torch.empty(O))
        self.register_buffer("_no_bias", torch.zeros(G * H), persistent=False)
        self.reset_parameters()

    @property
    def f(self) -> activations.Hidden:
        return activations.HIDDEN[self.config.f]

    @property
    def g(self) -> activations.Output:
        return activations.OUTPUT[self.config.g]

    def reset_parameters(self) -> None:
        """torch's default: every weight uniform in +-1/sqrt(H); embedding N(0, 1)."""
        bound = 1 / math.sqrt(self.config.hidden_size)
        for name, p in self.named_parameters():
            if not name.startswith("embedding"):
                nn.init.uniform_(p, -bound, bound)
        if self.embedding is not None:
            nn.init.normal_(self.embedding.weight)
            with torch.no_grad():
                self.embedding.weight[0].zero_()

    def block(self, name: str, gate: str | None = None) -> Tensor:
        """The rows of a stacked parameter (W_xh, W_hh, b_h, b_hh: blocks*H rows) that belong to `gate`, as a view
        (read it, or write it in place under no_grad); the whole parameter for gate None. (H, ...) for a gate."""
        p = getattr(self, name)
        if gate is None:
            return p
        gates = CELLS[self.config.cell].gates
        if gate not in gates:
            raise ConfigError(f"The {CELLS[self.config.cell].label} has no gate {gate!r}; its gates are "
                              f"{', '.join(gates) or 'none'}.")
        H, k = self.config.hidden_size, gates.index(gate)
        return p[k * H:(k + 1) * H]

    def _weights(self) -> list[Tensor]:
        second = self.b_hh if self.config.cell == "gru" else self._no_bias
        return [self.W_xh, self.W_hh, self.b_h, second]

    def embed(self, x: Tensor) -> Tensor:
        """Token ids (B, T) -> (B, T, E); real input (B, T) or (B, T, E) -> (B, T, E)."""
        if self.embedding is not None:
            return self.embedding(x)
        x = x.to(self.W_xh.dtype)
        return x.unsqueeze(-1) if x.dim() == 2 else x

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Fast path. Returns (logits (B, T, O), h_last (B, H)); logits at padded steps are not meaningful."""
        hs = self.states(x, lengths)
        B = hs.shape[0]
        if lengths is not None and bool((lengths >= hs.shape[1]).all()):
            lengths = None
        h_last = hs[:, -1] if lengths is None else hs[torch.arange(B), lengths.clamp(min=1) - 1]
        return hs @ self.W_hy.t() + self.b_y, h_last

    def states(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Fast path without the readout: h_1 .. h_T, (B, T, H) (e.g. for a next-word head while pretraining)."""
        xe = self.embed(x)  # (B, T, E)
        if lengths is not None and bool((lengths >= xe.shape[1]).all()):
            lengths = None
        if self.config.cell == "rnn" and self.f.fused is None:
            return self._elman(xe, lengths)
        return self._fused(xe, lengths)

    def _elman(self, xe: Tensor, lengths: Tensor | None) -> Tensor:
        xp = (xe @ self.W_xh.t() + self.b_h).transpose(0, 1).contiguous()  # hoisted: (T, B, H)
        B, H = xe.shape[0], self.config.hidden_size
        mask = None
        if lengths is not None:
            mask = _mask(lengths, xe.shape[1]).t().unsqueeze(-1).to(xp.dtype)  # (T, B, 1)
        h0 = xp.new_zeros(B, H)
        return elman(xp, self.W_hh, h0, mask, self.f).transpose(0, 1)  # (B, T, H)

    def _fused(self, xe: Tensor, lengths: Tensor | None) -> Tensor:
        cfg = self.config
        B, T, _ = xe.shape
        h0 = xe.new_zeros(1, B, cfg.hidden_size)
        kernel = kernels.fused(cfg.cell, self.f.fused)
        hx = (h0, h0) if cfg.cell == "lstm" else h0
        if lengths is None:
            return kernel(xe, hx, self._weights(), True, 1, 0.0, self.training, False, True)[0]
        packed = pack_padded_sequence(xe, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
        out = kernel(packed.data, packed.batch_sizes, hx, self._weights(), True, 1, 0.0, self.training, False)[0]
        packed_out = packed._replace(data=out)
        return pad_packed_sequence(packed_out, batch_first=True, total_length=T)[0]

    def trace(self, x: Tensor, lengths: Tensor | None = None) -> Trace:
        """Readable path: the lesson's equations step by step, keeping every intermediate value."""
        xe = self.embed(x)
        B, T, _ = xe.shape
        H = self.config.hidden_size
        cell = self.config.cell
        mask = _mask(lengths, T) if lengths is not None else torch.ones(B, T, dtype=torch.bool)
        xp = xe @ self.W_xh.t() + self.b_h  # (B, T, blocks*H): W_xh x_t + b_h for every t at once
        h = xe.new_zeros(B, H)
        c = xe.new_zeros(B, H) if cell == "lstm" else None
        hs, cs, pres = [h], [c], []
        gates: dict[str, list[Tensor]] = {name: [] for name in CELLS[cell].gates}
        for t in range(T):
            m = mask[:, t].unsqueeze(-1)
            if cell == "rnn":
                a = xp[:, t] + h @ self.W_hh.t()
                h_new, pre = self.f.fn(a), a
            elif cell == "lstm":
                z = xp[:, t] + h @ self.W_hh.t()
                zi, zf, zg, zo = z.chunk(4, dim=-1)
                i, f_, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
                c_new = f_ * c + i * g
                h_new = o * torch.tanh(c_new)
                c = torch.where(m, c_new, c)
                cs.append(c)
                pre = z
                for name, v in zip(("i", "f", "g", "o"), (i, f_, g, o)):
                    gates[name].append(v)
            else:  # gru, torch's formulation
                gi = xp[:, t]
                gh = h @ self.W_hh.t() + self.b_hh
                ir, iz, in_ = gi.chunk(3, dim=-1)
                hr, hz, hn = gh.chunk(3, dim=-1)
                r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                n_pre = in_ + r * hn
                n = torch.tanh(n_pre)
                h_new = (1 - z) * n + z * h
                pre = torch.cat([ir + hr, iz + hz, n_pre], dim=-1)
                for name, v in zip(("r", "z", "n"), (r, z, n)):
                    gates[name].append(v)
            h = torch.where(m, h_new, h)
            hs.append(h)
            pres.append(pre)
        h_all = torch.stack(hs, dim=1)  # (B, T+1, H)
        logits = h_all[:, 1:] @ self.W_hy.t() + self.b_y  # (B, T, O)
        empty = xe.new_zeros(B, 0, pres[0].shape[-1] if pres else H)
        return Trace(
            h=h_all,
            pre=torch.stack(pres, dim=1) if pres else empty,
            logits=logits,
            y=self.g.fn(logits),
            mask=mask,
            gates={k: torch.stack(v, dim=1) for k, v in gates.items() if v},
            c=torch.stack(cs, dim=1) if cell == "lstm" else None,
            steps=hs[1:],
        )


def _mask(lengths: Tensor, T: int) -> Tensor:
    return torch.arange(T).unsqueeze(0) < lengths.reshape(-1, 1)  # (B, T)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def hidden_grad_norms(model: RecurrentModel, x: Tensor, loss_fn: Callable[[Trace], Tensor],
                      lengths: Tensor | None = None) -> Tensor:
    """||dL/dh_t|| for t = 1..T, averaged over the batch: (T,). loss_fn maps a Trace to a scalar loss."""
    tr = model.trace(x, lengths)
    if not tr.steps:
        return torch.zeros(0)
    grads = torch.autograd.grad(loss_fn(tr), tr.steps, allow_unused=True)
    norms = [torch.zeros(()) if g is None else g.norm(dim=-1).mean() for g in grads]
    return torch.stack(norms).detach()


def last_step_loss(model: RecurrentModel, target: Tensor) -> Callable[[Trace], Tensor]:
    """A loss_fn for hidden_grad_norms: g's matching loss on the output at the last step."""
    return lambda tr: model.g.loss(tr.logits_last, target)


def save_model(model: RecurrentModel, path: str | Path, extra: dict | None = None) -> None:
    """Weights + config (+ plain-data extras) in a file torch.load(weights_only=True) can read."""
    torch.save({"config": asdict(model.config), "state_dict": model.state_dict(), "extra": extra or {}}, path)


def load_model(path: str | Path) -> tuple[RecurrentModel, dict]:
    """(model in eval mode, extras) from a file written by save_model."""
    blob = torch.load(path, map_location="cpu", weights_only=True)
    model = RecurrentModel(ModelConfig.from_dict(blob["config"]))
    model.load_state_dict(blob["state_dict"])
    model.eval()
    return model, blob.get("extra", {})
