"""The app's pages in one list: navigation, the landing page and the share links all read it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse


SCENE = "scene"  # the query parameter naming the scene of the guided lecture a visitor is in (not a page setting)
ROOM = "room"  # the query parameter naming the room a visitor follows (playground/server/rooms.py)


@dataclass(frozen=True)
class PageInfo:
    path: str  # file under pages/
    key: str  # the page's config prefix (session-state keys)
    title: str
    icon: str
    blurb: str

    @property
    def url(self) -> str:
        """The url_path: the file name without its number and `.py` ("pages/2_train_live.py" -> "train_live").

        It must be that name: Streamlit still scans a `pages/` folder the old way, and a deep link whose path
        differs from the name it derives there opens under a "Page not found" dialog."""
        return re.sub(r"^\d+_", "", PurePosixPath(self.path).stem)


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
    PageInfo("pages/4_inside_one_step.py", "onestep", "Inside one step", ":material/calculate:",
             "One step of the equations computed in front of you: set every number of a tiny RNN, follow each "
             "term through $f$ and $g$, unroll it, or check one word of a review by hand."),
    PageInfo("pages/5_lecture.py", "lecture", "Lecture", ":material/school:",
             "A guided tour for a lecture: scene by scene across the four pages, each with its settings, what to "
             "say and what the audience will see, and a “Next scene” button."),
]


def url_for(key: str) -> str:
    """The url_path of the page whose config prefix is `key`."""
    return next((p.url for p in PAGES if p.key == key), key)


def app_root(base: str) -> str:
    """The app's address from st.context.url of any of its pages: the query and a page's path dropped."""
    root = base.split("?")[0].split("#")[0].rstrip("/")
    if root.rsplit("/", 1)[-1] in {p.url for p in PAGES}:
        root = root.rsplit("/", 1)[0]
    return root


def page_of(url: str | None) -> str:
    """The url path of the page a browser address shows ("" for home, or an address of no page)."""
    last = (url or "").split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return last if last in {p.url for p in PAGES} else ""


def missing_page(url: str | None, base_path: str = "") -> str | None:
    """The path a link asked for when no page has it ("read" for .../read), else None. `url` is st.context.url
    on the home page (Streamlit runs it for an unknown path); `base_path` is the server's server.baseUrlPath."""
    path = urlparse(url or "").path.strip("/")
    base = base_path.strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path if path and path not in {p.url for p in PAGES} else None


def not_found_message(path: str) -> str:
    return f"There is no page at “/{path}”: this is the home page. The pages are:"


# Words a newcomer meets on the pages, in the order they first come; the Home page lists them.
GLOSSARY = {
    "held-out": "Data the model never trains on, kept aside to measure it: a score on held-out examples says how "
                "well it does on new ones, not how well it remembers its training set.",
    "tick": "On Train live, one redraw's worth of training: Steps per tick training steps, then one point on the "
            "curves. Step trains one tick.",
    "logit": "The number before the output activation, z_t = W_hy h_t + b_y; the sigmoid turns it into a "
             "probability (0 gives 0.5), the softmax turns one logit per class into probabilities.",
    "SST-2": "The Stanford Sentiment Treebank: movie-review sentences and their phrases, each labelled positive or "
             "negative by people; with IMDB's reviews it is what the shipped models learnt from.",
    "naive Bayes": "A simple baseline classifier that adds up how positive or negative each word is on its own, "
                   "ignoring word order: what a model that reads the sentence should beat.",
    "same width": "In the race, every cell gets the same hidden size H; “same parameter count” instead shrinks the "
                  "LSTM's and GRU's H until they have as many weights as the RNN.",
    "largest singular value": "How much a matrix can stretch a vector at most. If every step's Jacobian has it "
                              "below 1, a gradient shrinks at every step back in time (it vanishes); above 1 it "
                              "can grow (explode).",
}
