"""The toy tasks with known answers (parity, memory, brackets, recall, counting, a noisy sine, adding): each a
seeded generator from playground.tasks.sequences plus what the page says about it."""
from __future__ import annotations

from playground.tasks.base import Knob, Task
from playground.tasks.sequences import (FIRST_K, RECALL_SYMBOLS, SINE_WARMUP, sample_adding, sample_brackets,
                                        sample_counting, sample_first_one, sample_parity, sample_parity_mixed,
                                        sample_recall, sample_sine)

TOY_TASKS = [
    Task("parity", "Parity of n bits (XOR)", "classification",
         input="x_t is one bit, 0 or 1. Training sequences have 1 to n bits (short ones give an easy start); "
               "the held-out set has exactly n.",
         target="After the last bit: 1 if the number of ones is odd, else 0.",
         perfect="One direction of h_t flips every time a 1 arrives and stays put on a 0, so h_t tracks "
                 "'odd so far'; y_T is near 1 or 0 with no doubt.",
         kind="binary", default_g="sigmoid", knob=Knob("bits n", 8, 2, 32, "How many bits to XOR."),
         sample=sample_parity_mixed, sample_held_out=sample_parity, chance=lambda n: 0.5,
         class_names=("even", "odd"), known_good=dict(cell="rnn", hidden=16, f="tanh", lr=0.03, length=4, steps=400)),
    Task("first_one", f"Memory: a 1 in the first {FIRST_K} steps?", "classification",
         input="x_t is one bit; only the first three matter, the rest are noise.",
         target=f"After the last step: 1 if any of the first {FIRST_K} bits was 1.",
         perfect="h_t latches after a 1 in the first steps and then ignores the noise bits, so the answer "
                 "survives to the end.",
         kind="binary", default_g="sigmoid", knob=Knob("sequence length T", 12, FIRST_K, 64,
                                                        "Longer: the memory has to last longer."),
         sample=sample_first_one, chance=lambda n: 0.5,
         class_names=("no", "yes"), known_good=dict(cell="rnn", hidden=8, f="tanh", lr=0.01, length=6, steps=300)),
    Task("brackets", "Balanced brackets?", "classification",
         input="x_t is '(' or ')'.",
         target="After the last bracket: 1 if every ')' closes an earlier '(' and none is left open.",
         perfect="A unit of h_t acts as a depth counter (up on '(', down on ')') and another remembers whether "
                 "the depth ever went below zero.",
         kind="binary", default_g="sigmoid", knob=Knob("length T", 12, 2, 40, "Number of brackets (even)."),
         sample=sample_brackets, vocab=("·", "(", ")"), chance=lambda n: 0.5,
         class_names=("no", "yes"), known_good=dict(cell="gru", hidden=16, f="tanh", lr=0.01, length=6, steps=300)),
    Task("recall", "Delayed recall (copy k steps back)", "next",
         input=f"x_t is one of {RECALL_SYMBOLS} symbols A..D.",
         target="At every step t >= k: the symbol seen k steps earlier, x_{t-k}.",
         perfect="h_t holds a queue of the last k symbols; the heatmap shows patterns that repeat k steps apart.",
         kind="classes", default_g="softmax", knob=Knob("delay k", 3, 1, 40, "How many steps to remember."),
         sample=sample_recall, classes=lambda k: RECALL_SYMBOLS, vocab=("·", "A", "B", "C", "D"),
         chance=lambda k: 1 / RECALL_SYMBOLS,
         per_step=True, known_good=dict(cell="rnn", hidden=16, f="tanh", lr=0.01, length=1, steps=200)),
    Task("counting", "Counting a's", "next",
         input="x_t is 'a' or 'b'.",
         target="At every step: how many a's so far (a running count).",
         perfect="One unit of h_t goes up by the same amount on every 'a' and holds on 'b' (identity f does "
                 "this exactly); y_t is a staircase.",
         kind="count", default_g="identity", knob=Knob("sequence length T", 10, 2, 40),
         sample=sample_counting, classes=lambda T: T + 1, vocab=("·", "a", "b"),
         per_step=True, known_good=dict(cell="rnn", hidden=8, f="identity", lr=0.01, length=6, steps=300)),
    Task("sine", "Noisy sine: next value", "series",
         input="x_t is a noisy reading of a sum of two sines.",
         target=f"At every step t > {SINE_WARMUP - 1}: the clean signal at t+1.",
         perfect="y_t follows the smooth curve one step ahead, ignoring the noise; units of h_t oscillate "
                 "like the signal.",
         kind="real", default_g="identity", knob=Knob("sequence length T", 30, SINE_WARMUP + 1, 64),
         sample=sample_sine, chance=lambda T: 0.0,
         per_step=True, known_good=dict(cell="rnn", hidden=16, f="tanh", lr=0.01, length=20, steps=300)),
    Task("adding", "Adding problem", "long-range",
         input="x_t = (a random value in 0..1, a marker 0/1); two steps are marked, one in each half.",
         target="After the last step: the sum of the two marked values.",
         perfect="h_t stores the first marked value until the second arrives and ignores everything else; "
                 "R² near 1 (always answering 1.0 scores 0).",
         kind="real", default_g="identity", knob=Knob("sequence length T", 20, 2, 64,
                                                       "Longer: the first value must be kept longer."),
         sample=sample_adding, input_size=2, chance=lambda T: 0.0,
         known_good=dict(cell="lstm", hidden=16, f="tanh", lr=0.01, length=8, steps=400)),
]
