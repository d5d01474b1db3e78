"""The page registry: files exist, url paths are what Streamlit derives from the file names, keys are unique."""
from conftest import ROOT
from playground.pages import PAGES, url_for


def test_every_page_file_exists_and_urls_follow_the_file_names():
    assert [p.url for p in PAGES] == ["read_a_review", "train_live", "why_lstm_gru", "inside_one_step"]
    for p in PAGES:
        assert (ROOT / p.path).is_file(), p.path


def test_keys_are_unique_and_map_to_their_urls():
    assert len({p.key for p in PAGES}) == len(PAGES)
    assert url_for("train") == "train_live"
    assert url_for("review") == "read_a_review"
    assert url_for("onestep") == "inside_one_step"
