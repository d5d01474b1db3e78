"""RNN Playground from Python: a shipped model reads a review, a tiny RNN learns parity in 200 steps, one figure.

    python examples/quickstart.py [figure.html]
"""
import sys

from playground.views import review
from playground.sentiment import models as sentiment
from playground.training import history, trainer

# 1. Trace a review: h_t and y_t after every word, from the lesson's RNN (Embedding -> SimpleRNN(32) -> sigmoid).
sm = sentiment.load("rnn")
r = review.read(sm, "The first half is slow, but the ending is wonderful.")
for token, y in zip(r.tokens, r.y):
    print(f"{token:>10}  P(positive) = {y:.2f}")
print("every h_t, h_0 .. h_T by unit:", r.h.shape)

# 2. Train a task for 200 steps: parity of 8 bits, the Train live page's defaults.
result = history.fit(trainer.TrainConfig(task="parity", length=8), steps=200, eval_every=50)
print(result.history[["step", "train_loss", "test_loss", "test_metric"]].to_string(index=False))

# 3. Build one figure: the page's h_t heatmap over the running sentiment y_t (a plotly Figure).
fig = review.reading_view(r, step=r.T)
if len(sys.argv) > 1:
    fig.write_html(sys.argv[1], include_plotlyjs="cdn")
    print("figure written to", sys.argv[1])
