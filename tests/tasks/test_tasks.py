"""Toy tasks: targets checked against plain-Python answers, determinism per seed, heads per g, and every task
learned by its known-good configuration in a bounded number of steps."""
import pytest
import torch

from playground.tasks import text as tasks_text
from playground.lesson.activations import OUTPUT
from playground.lesson.cells import RecurrentModel
from playground.errors import ConfigError, InputError
from playground.tasks import TASKS, get
from playground.training.history import fit
from playground.training.trainer import TrainConfig, model_config

NAMES = list(TASKS)
LEARNED = {"accuracy": 0.9, "R²": 0.8}  # what "learned" means per metric
LEARNED_TEXT = 0.6  # next character of the rhyme: guessing scores 1/15


def _python_balanced(seq: list[int]) -> bool:
    depth = 0
    for tok in seq:
        depth += 1 if tok == 1 else -1
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_batch_other_seed_other_batch(name):
    task = TASKS[name]
    a, b, c = task.batch(16, seed=3), task.batch(16, seed=3), task.batch(16, seed=4)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)
    h1, h2 = task.held_out(16, seed=9), task.held_out(16, seed=9)
    assert torch.equal(h1.x, h2.x) and torch.equal(h1.y, h2.y)


@pytest.mark.parametrize("name", NAMES)
def test_batch_shapes_and_natural_head_fit_the_model(name):
    task = TASKS[name]
    batch = task.batch(5, seed=0)
    B, T = batch.x.shape[:2]
    assert B == 5 and batch.y.shape == ((B, T) if task.per_step else (B,))
    model = RecurrentModel(model_config(task, "rnn", 4, "tanh"))
    logits, _ = model(batch.x, batch.lengths)
    out, target = batch.scored(logits)
    head = task.head(task.default_g)
    assert out.shape == (len(target), head.output_size)
    loss = model.g.loss(out, head.encode(target))
    assert torch.isfinite(loss)
    value = task.metric(head.predict(out), target)
    assert value <= 1.0 and (value >= 0.0 or task.metric.name == "R²")  # R² of an untrained model may be < 0
    assert len(task.token_labels(batch.x[0])) == T


def test_parity_targets_are_the_xor_of_the_bits():
    b = TASKS["parity"].held_out(64, length=6, seed=1)
    for x, y in zip(b.x.tolist(), b.y.tolist()):
        acc = 0
        for bit in x:
            acc ^= int(bit)
        assert y == acc
    train = TASKS["parity"].batch(64, length=6, seed=1)  # training form: 1..n bits, zero-padded
    assert train.lengths is not None and int(train.lengths.min()) >= 1 and int(train.lengths.max()) <= 6
    for x, y, n in zip(train.x.tolist(), train.y.tolist(), train.lengths.tolist()):
        assert sum(x[n:]) == 0 and y == int(sum(x[:n])) % 2


def test_first_one_looks_only_at_the_first_three_bits_and_is_balanced():
    b = TASKS["first_one"].batch(2000, length=10, seed=2)
    assert torch.equal(b.y, (b.x[:, :3].sum(1) > 0).long())
    assert 0.45 < b.y.float().mean() < 0.55


def test_brackets_labels_match_a_stack_check_and_mostly_need_more_than_counting():
    b = TASKS["brackets"].batch(400, length=10, seed=3)
    labels = [_python_balanced(row) for row in b.x.tolist()]
    assert b.y.tolist() == [int(v) for v in labels]
    assert b.y.sum() == 200
    neg = [row for row, y in zip(b.x.tolist(), b.y.tolist()) if y == 0]
    equal_counts = sum(row.count(1) == row.count(2) for row in neg)
    assert equal_counts > len(neg) / 2  # most negatives have as many ( as ): counting alone cannot tell


def test_recall_target_is_the_symbol_k_steps_back():
    k = 4
    b = TASKS["recall"].batch(8, length=k, seed=5)
    assert b.x.shape[1] == k + 12
    assert torch.equal(b.y[:, k:], b.x[:, :-k] - 1)
    assert not b.mask[:, :k].any() and b.mask[:, k:].all()


def test_counting_target_is_the_running_count_of_a():
    b = TASKS["counting"].batch(8, length=9, seed=6)
    for x, y in zip(b.x.tolist(), b.y.tolist()):
        running = [sum(1 for tok in x[: t + 1] if tok == 1) for t in range(len(x))]
        assert y == running


def test_sine_target_is_the_next_clean_value_under_the_noise():
    b = TASKS["sine"].batch(256, length=30, seed=7)
    resid = b.x[:, 1:] - b.y[:, :-1]  # x_{t+1} = clean_{t+1} + noise
    assert abs(float(resid.std()) - 0.1) < 0.01 and abs(float(resid.mean())) < 0.01
    assert not b.mask[:, :3].any() and b.mask[:, 3:].all()


def test_adding_target_is_the_sum_of_the_two_marked_values():
    b = TASKS["adding"].batch(32, length=12, seed=8)
    values, marks = b.x[..., 0], b.x[..., 1]
    assert torch.equal(marks.sum(1), torch.full((32,), 2.0))
    assert bool((marks[:, :6].sum(1) == 1).all())  # one marker in each half
    for v, m, y in zip(values.tolist(), marks.tolist(), b.y.tolist()):
        assert abs(sum(a for a, mk in zip(v, m) if mk) - y) < 1e-6


def test_text_windows_predict_the_next_character():
    task = get("text", text="hello world, hello rnn")
    b = task.batch(4, length=6, seed=0)
    for x, y in zip(b.x.tolist(), b.y.tolist()):
        chars = "".join(task.vocab[i] for i in x)
        nxt = "".join(task.vocab[i + 1] for i in y)
        assert chars[1:] == nxt[:-1] and chars in "hello world, hello rnn"


def test_text_input_is_cleaned_and_capped_not_rendered():
    html = "<script>alert(1)</script> 😀 ünïcode\x00\n" * 400
    task = get("text", text=html)
    assert len(task.options["text"]) <= tasks_text.MAX_CHARS and "\x00" not in task.options["text"]
    assert len(task.vocab) <= tasks_text.MAX_VOCAB + 1
    with pytest.raises(InputError):
        get("text", text="ab")
    with pytest.raises(InputError):
        get("text", text="aaaaaaaaaaaaaaaaaaaa")


@pytest.mark.parametrize("name,g", [("sine", "sigmoid"), ("sine", "softmax"), ("adding", "softmax"),
                                    ("counting", "sigmoid")])
def test_meaningless_g_is_refused_with_a_reason(name, g):
    with pytest.raises(ConfigError, match="use identity"):
        model_config(TASKS[name], g=g)


@pytest.mark.parametrize("name", ["parity", "recall", "counting"])
def test_every_other_g_is_allowed_with_a_note_and_trains(name):
    task = TASKS[name]
    for g in OUTPUT:
        if g == task.default_g or (name == "counting" and g == "sigmoid"):
            continue
        head = task.head(g)
        assert head.note  # the student is told what the odd choice means
        batch = task.batch(4, seed=0)
        model = RecurrentModel(model_config(task, "rnn", 4, "tanh", g))
        out, target = batch.scored(model(batch.x, batch.lengths)[0])
        assert torch.isfinite(model.g.loss(out, head.encode(target)))


def test_out_of_range_length_is_a_student_message():
    with pytest.raises(ConfigError, match="bits n"):
        TASKS["parity"].batch(4, length=500)


@pytest.mark.parametrize("name", NAMES)
def test_known_good_configuration_learns_the_task(name):
    task = TASKS[name]
    kg = task.known_good
    cfg = TrainConfig(task=name, length=kg["length"], cell=kg["cell"], hidden=kg["hidden"], f=kg["f"], lr=kg["lr"],
                      held_out=256)
    chance = task.chance(kg["length"])
    result = fit(cfg, kg["steps"], eval_every=kg["steps"])
    need = LEARNED_TEXT if name == "text" else LEARNED[task.metric.name]
    assert result.divergence is None
    assert result.metric >= need, f"{name}: held-out {task.metric.name} {result.metric:.3f} < {need}"
    if chance is not None:
        assert result.history.test_metric.iloc[0] < need  # it was not solved before training


def test_a_trained_text_model_continues_the_alphabet_at_temperature_zero():
    result = fit(TrainConfig(task="text", text=tasks_text.TEXTS["abc"], length=8, cell="gru", hidden=24, lr=0.02,
                             held_out=64), steps=250, eval_every=250)
    out = tasks_text.generate(result.trainer.model, result.trainer.task, prime="abcd", n_chars=10, temperature=0,
                              window=8)
    assert out == "efghijklmn"


def test_a_task_declares_what_it_is():
    """Code asks a task what it is (generation, its own text box), never its name."""
    assert {n for n, t in TASKS.items() if t.generates} == {"text"}
    assert {n for n, t in TASKS.items() if t.takes_text} == {"text"}
    rebuilt = get("text", text="abab abab abab abab")  # options that change the data rebuild the task
    assert rebuilt.vocab != TASKS["text"].vocab and set(rebuilt.vocab) >= {"a", "b", " "}
    assert get("parity", text="ignored").vocab == TASKS["parity"].vocab
