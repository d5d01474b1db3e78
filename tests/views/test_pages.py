"""The page registry: files exist, url paths are what Streamlit derives from the file names, keys are unique."""
from conftest import ROOT
import pytest

from playground.views.pages import PAGES, missing_page, not_found_message, page_of, url_for


def test_every_page_file_exists_and_urls_follow_the_file_names():
    assert [p.url for p in PAGES] == ["read_a_review", "train_live", "why_lstm_gru", "inside_one_step",
                                      "lecture"]
    for p in PAGES:
        assert (ROOT / p.path).is_file(), p.path


def test_keys_are_unique_and_map_to_their_urls():
    assert len({p.key for p in PAGES}) == len(PAGES)
    assert url_for("train") == "train_live"
    assert url_for("review") == "read_a_review"
    assert url_for("onestep") == "inside_one_step"


@pytest.mark.parametrize("url,base,missing", [
    ("http://localhost:8501/read", "", "read"),
    ("http://localhost:8501/read/", "", "read"),
    ("https://x.streamlit.app/train_livee", "", "train_livee"),
    ("http://h/app/read", "/app", "read"),
    ("http://localhost:8501", "", None),
    ("http://localhost:8501/", "", None),
    ("http://h/app", "app", None),
    ("http://h/app/train_live", "app", None),
    ("http://localhost:8501/why_lstm_gru", "", None),
    (None, "", None),
])
def test_a_mistyped_page_path_is_named(url, base, missing):
    assert missing_page(url, base) == missing


def test_the_not_found_message_names_the_path():
    assert "/read" in not_found_message("read") and "no page" in not_found_message("read")


@pytest.mark.parametrize("url, page", [
    ("http://127.0.0.1:8501/read_a_review", "read_a_review"),
    ("https://host/app/inside_one_step/", "inside_one_step"),  # behind a proxy's base path
    ("http://127.0.0.1:8501/", ""),
    ("https://host/app", ""),  # the base path is no page
    ("http://127.0.0.1:8501/read", ""),
    (None, ""),
])
def test_the_page_of_a_browser_address(url, page):
    """A follower's timer compares the room's page with the one its browser asked for (web/rooms.check_moved)."""
    assert page_of(url) == page
