"""The app's pages in one list: navigation and the landing page both read it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str  # file under pages/
    url: str  # url_path
    title: str
    icon: str
    blurb: str


PAGES = [
    PageInfo("pages/1_read_a_review.py", "review", "Read a review", ":material/menu_book:",
             "Type a movie review and watch $h_t$ change word by word, with the running sentiment $y_t$, "
             "on RNN, LSTM and GRU models trained on real movie-review sentences."),
    PageInfo("pages/2_train_live.py", "train", "Train live", ":material/play_circle:",
             "Train a tiny RNN in your browser on toy sequence tasks; switch $f$ and $g$ and watch the loss, "
             "hidden states, weights and gradients move."),
    PageInfo("pages/3_why_lstm_gru.py", "gates", "Why LSTM & GRU", ":material/timeline:",
             "See the gradient vanish through time in a vanilla RNN and survive in LSTM and GRU, "
             "then race the three fairly on a long-range task."),
]
