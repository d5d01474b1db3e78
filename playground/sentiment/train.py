"""Train the shipped sentiment models: one loop for RNN, LSTM and GRU, deterministic for a seed.

Every row of SST-2 (phrase or sentence) is one training sequence with the loss on y_T, the output after its
last word. Because the RNN starts from h_0 = 0 on every sequence, a phrase that begins a sentence ("the
acting is not") is exactly that sentence's prefix: the phrase rows are what teach the model a meaningful
running sentiment y_t after every word, not just after the full stop.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable, Sequence, TextIO

import torch
import torch.nn.functional as F

from playground.lesson.cells import CELLS, ModelConfig, RecurrentModel
from playground.errors import DivergenceError
from playground.sentiment.data import batches, pad, pair_batches
from playground.sentiment.lm import pretrain_lm
from playground.sentiment.progress import Progress
from playground.training.loop import update
from playground.sentiment.text import Vocabulary

UNK_ID = Vocabulary([]).unk_id


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 6
    batch_size: int = 64
    lr: float = 3e-3
    embed_dropout: float = 0.3  # dropout on word vectors while training only (the shipped model has none)
    word_dropout: float = 0.0  # chance that a training word is replaced by <unk> (teaches unknown words)
    weight_decay: float = 0.0  # AdamW's decoupled weight decay
    init: str = "keras"  # "keras": W_hh orthogonal, biases 0 (LSTM forget bias 1), as Keras' SimpleRNN/LSTM
    embed_init: float = 0.0  # > 0: word vectors uniform in +-embed_init (Keras' Embedding: 0.05); 0: N(0, 1)
    lm_reviews: int = 0  # > 0: first pretrain as a next-word model on this many unlabelled reviews (sentiment_lm)
    lm_epochs: int = 1
    step_loss: float = 0.0  # weight of the loss at every word (target: the row's label), see step_targets_loss
    sentence_weight: float = 1.0  # loss weight of long rows (>= 10 tokens) relative to short phrases
    cad_repeat: int = 0  # times each CAD training review (original and revision, read whole) joins the rows
    negation_repeat: int = 0  # extra times each SST row with a negation word ("not bad") joins the rows
    pair_loss: float = 0.0  # > 0: CAD pairs come as pair batches, + pair_loss x the worse half's loss (see pair_term)
    cosine: bool = True  # learning rate decays to 0 along a cosine over all steps
    ema: float = 0.0  # > 0: dev sets read (and the best epoch kept) with an exponential average of the weights
    embed_from: str = ""  # a model trained first (a key of MODELS): this one starts from its word vectors (fit.py)
    embed_freeze: bool = False  # the word vectors are not trained further
    clip: float = 5.0  # gradient-norm clipping: a vanilla RNN's gradient can explode through time
    seed: int = 0
    threads: int = 1  # small matrices: a second thread helps little, and on a busy machine it stalls badly


def keras_init(model: RecurrentModel) -> None:
    """Keras' SimpleRNN defaults: W_xh Glorot-uniform, W_hh orthogonal, biases 0. The LSTM and GRU get the same
    per gate block (Keras initialises their stacked matrices whole) and the LSTM forget bias 1 (unit_forget_bias).

    An orthogonal W_hh keeps ||W_hh h|| = ||h||, so signals and gradients survive more steps at the start.
    """
    with torch.no_grad():
        for gate in CELLS[model.config.cell].block_gates:
            torch.nn.init.xavier_uniform_(model.block("W_xh", gate))
            torch.nn.init.orthogonal_(model.block("W_hh", gate))
        model.b_h.zero_()
        if model.config.cell == "lstm":
            model.block("b_h", "f").fill_(1.0)
        if model.config.cell == "gru":
            model.b_hh.zero_()
        torch.nn.init.xavier_uniform_(model.W_hy)
        model.b_y.zero_()


def final_logits(model: RecurrentModel, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The readout after each sequence's last real word: logits[b, lengths[b]-1] -> (B,)."""
    logits, _ = model(x, lengths)  # (B, T, 1)
    return logits[torch.arange(x.shape[0]), lengths - 1, 0]


def sequence_loss(model: RecurrentModel, x: torch.Tensor, lengths: torch.Tensor, y: torch.Tensor,
                  settings: TrainSettings, paired: bool = False) -> torch.Tensor:
    """BCE on y_T, plus (weight step_loss) BCE on y_t at every real word against the row's label.

    The every-word term ("target replication") asks y_t to be the best guess of the row's sentiment from the
    words read so far; where the prefix does not tell, the best guess is a hedge near the base rate.
    """
    logits, _ = model(x, lengths)  # (B, T, 1)
    B, T = x.shape
    last = logits[torch.arange(B), lengths - 1, 0]  # (B,)
    w = torch.where(lengths >= 10, settings.sentence_weight, 1.0)
    bce = F.binary_cross_entropy_with_logits(last, y, reduction="none")  # (B,)
    loss = (bce * w).sum() / w.sum()
    if paired:  # rows p and B/2 + p are a review and its revision: the worse-read half of each pair weighs more
        loss = loss + settings.pair_loss * bce.view(2, B // 2).max(0).values.mean()
    if settings.step_loss > 0:
        mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).float()  # (B, T)
        every = F.binary_cross_entropy_with_logits(logits[..., 0], y.unsqueeze(1).expand(B, T), reduction="none")
        per_row = (every * mask).sum(1) / lengths
        loss = (1 - settings.step_loss) * loss + settings.step_loss * (per_row * w).sum() / w.sum()
    return loss


@torch.no_grad()
def accuracy(model: RecurrentModel, data: Sequence[tuple[list[int], int]], batch_size: int = 256) -> float:
    was = model.training
    model.eval()
    right = 0
    for x, lengths, y in batches(data, batch_size):
        right += int(((final_logits(model, x, lengths) > 0).float() == y).sum())
    model.train(was)
    return right / max(1, len(data))


@torch.no_grad()
def predicted(model: RecurrentModel, data: Sequence[tuple[list[int], int]], batch_size: int = 256) -> list[int]:
    """The label after the last word of each row, in the order of `data`."""
    was = model.training
    model.eval()
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))  # little padding
    out = [0] * len(data)
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        x, lengths = pad([data[i][0] for i in idx])
        for i, z in zip(idx, final_logits(model, x, lengths).tolist()):
            out[i] = int(z > 0)
    model.train(was)
    return out


Data = Sequence[tuple[list[int], int]]


def epoch_batches(data: Data, paired: Data, settings: TrainSettings, rng: random.Random):
    """One epoch's (batch, is_pair_batch): the rows' batches and, cad_repeat times, the pairs' in random order."""
    if not paired:
        yield from ((b, False) for b in batches(data, settings.batch_size, rng))
        return
    mixed = [(b, False) for b in batches(data, settings.batch_size, rng)]
    for _ in range(settings.cad_repeat):
        mixed += [(b, True) for b in pair_batches(paired, settings.batch_size // 2, rng)]
    rng.shuffle(mixed)
    yield from mixed


def train(config: ModelConfig, train_data: Data, dev_data: Data | dict[str, Data],
          settings: TrainSettings = TrainSettings(),
          label: str = "", stream: TextIO | None = None,
          on_epoch: Callable[[dict], None] | None = None,
          unlabelled: Sequence[Sequence[int]] = (),
          boost: dict[str, Data] | None = None,
          embedding: torch.Tensor | None = None) -> tuple[RecurrentModel, list[dict]]:
    """Adam on binary cross-entropy at the last word; keeps the weights of the epoch with the best dev accuracy.

    dev_data may be several named dev sets (e.g. IMDB reviews and SST sentences): the epoch is then picked by
    their mean accuracy, and each one's accuracy is kept in the history as dev_<name>. With settings.lm_reviews,
    the model first learns to predict the next word of that many of the `unlabelled` token-id lists. boost's
    "cad" and "negated" rows join train_data settings.cad_repeat and settings.negation_repeat times. `embedding`:
    word vectors (vocab x embed) to start from (kept as they are with settings.embed_freeze).
    Returns (model in eval mode, one dict per epoch). Raises DivergenceError if the loss becomes NaN.
    """
    dev_sets = dev_data if isinstance(dev_data, dict) else {"": dev_data}
    torch.manual_seed(settings.seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)
    model = RecurrentModel(config)
    if settings.init == "keras":
        keras_init(model)
    if settings.embed_init > 0 and model.embedding is not None:
        with torch.no_grad():  # small vectors keep tanh out of saturation while the words' meanings are learnt
            torch.nn.init.uniform_(model.embedding.weight, -settings.embed_init, settings.embed_init)
            model.embedding.weight[0].zero_()
    if embedding is not None and model.embedding is not None:
        with torch.no_grad():
            model.embedding.weight.copy_(embedding)
    if settings.lm_reviews > 0 and unlabelled:
        pretrain_lm(model, unlabelled[:settings.lm_reviews], settings.lm_epochs, seed=settings.seed, stream=stream,
                    label=label)
    boost = boost or {}
    cad = list(boost.get("cad", [])) if settings.cad_repeat else []
    paired = cad if settings.pair_loss > 0 else []
    train_data = list(train_data) + (cad * settings.cad_repeat if not paired else []) \
        + list(boost.get("negated", [])) * settings.negation_repeat
    n_pair_batches = settings.cad_repeat * math.ceil(len(paired) / 2 / (settings.batch_size // 2))
    drop = settings.embed_dropout
    hook = model.embedding.register_forward_hook(lambda m, i, out: F.dropout(out, drop, m.training)) \
        if model.embedding is not None and drop > 0 else None
    if settings.embed_freeze and model.embedding is not None:
        model.embedding.weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=settings.lr,
                            weight_decay=settings.weight_decay)
    n_batches = math.ceil(len(train_data) / settings.batch_size) + n_pair_batches
    total_steps = settings.epochs * n_batches
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / total_steps)) if settings.cosine else 1.0)
    bar = Progress(label or config.cell, settings.epochs * n_batches, stream)
    history: list[dict] = []
    best: tuple[float, dict] | None = None
    average = {k: v.detach().clone() for k, v in model.state_dict().items()} if settings.ema > 0 else None
    averaged = [(average[k], v) for k, v in model.state_dict().items()] if average else []  # (its average, a weight
    # tensor the optimizer updates in place): paired once, not a state_dict per batch
    step = 0
    try:
        for epoch in range(1, settings.epochs + 1):
            model.train()
            total, seen = 0.0, 0
            for (x, lengths, y), is_pair in epoch_batches(train_data, paired, settings, rng):
                if settings.word_dropout > 0:
                    x = x.masked_fill((torch.rand(x.shape) < settings.word_dropout) & (x > 0), UNK_ID)
                loss = sequence_loss(model, x, lengths, y, settings, is_pair)
                if not torch.isfinite(loss):
                    raise DivergenceError(f"Training {label or config.cell} diverged (loss {loss.item()}); "
                                          "try a smaller learning rate.")
                update(loss, model.parameters(), opt, settings.clip, skip_nonfinite=False)
                sched.step()
                with torch.no_grad():
                    for mean, v in averaged:
                        mean.lerp_(v, 1 - settings.ema)
                total += loss.item() * len(y)
                seen += len(y)
                step += 1
                bar.update(step, f"epoch {epoch}/{settings.epochs} loss {total / seen:.3f}")
            current = None
            if average is not None:  # read the dev sets with the averaged weights; train on from the current ones
                current = {k: v.detach().clone() for k, v in model.state_dict().items()}
                model.load_state_dict(average)
            devs = {f"dev_{k}": accuracy(model, d) for k, d in dev_sets.items() if d}
            dev = sum(devs.values()) / len(devs) if devs else float("nan")
            row = {"epoch": epoch, "train_loss": total / max(1, seen), "dev_accuracy": dev,
                   **(devs if isinstance(dev_data, dict) else {})}
            history.append(row)
            if on_epoch:
                on_epoch(row)
            if best is None or dev > best[0]:
                best = (dev, {k: v.detach().clone() for k, v in model.state_dict().items()})
            if current is not None:
                model.load_state_dict(current)
            bar.update(step, f"epoch {epoch}/{settings.epochs} loss {row['train_loss']:.3f} dev {dev:.3f}",
                       force=True)
        bar.close(f"best dev {best[0]:.3f}" if best else "")
    finally:
        if hook is not None:
            hook.remove()
        torch.set_num_threads(threads)
    if best is not None:
        model.load_state_dict(best[1])
    model.eval()
    return model, history
