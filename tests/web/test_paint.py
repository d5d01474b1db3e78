"""A first visit's rest comes without the browser's script too (web/paint.py): a light websocket client, which runs
no JavaScript, gets Train live's first chart alone, then every chart once the fallback timer asks for the rest."""
import asyncio
import sys
import threading

from conftest import ROOT
from playground.web import paint


def test_a_client_without_the_script_gets_the_rest_from_the_fallback_timer(app_url):
    sys.path.insert(0, str(ROOT / "bench"))
    from stclient import Client

    client = Client(app_url, "train_live")
    visit = threading.Thread(target=asyncio.run, args=(client.visit(paint.FALLBACK_S + 20),))  # (pytest-playwright's
    visit.start()  # loop may be running in this thread)
    visit.join(paint.FALLBACK_S + 60)
    drawn = [r.charts for r in client.finished_runs() if r.charts]  # (the charts are drawn by the page's fragment)
    assert drawn[:1] == [1] and 6 in drawn[1:], [(r.fragment, r.charts) for r in client.runs]  # the curves, then all
    assert client.errors == []


def test_a_redraw_of_train_live_sends_its_charts_and_not_its_download_buttons(app_url):
    """The downloads are drawn by the page's runs, below the panel: a timer's redraw (a fragment run, per session and
    redraw) does not send them again; their files are made when clicked."""
    sys.path.insert(0, str(ROOT / "bench"))
    from stclient import Client

    client = Client(app_url, "train_live", "task=parity&seed=3")
    visit = threading.Thread(target=asyncio.run, args=(client.visit(paint.FALLBACK_S + 8, press="train:play"),))
    visit.start()
    visit.join(paint.FALLBACK_S + 60)
    runs = client.finished_runs()
    redraws = [r for r in runs if not r.whole and r.charts == 6]
    pages = [r for r in runs if r.whole and r.downloads]
    seen = [(r.whole, r.charts, r.downloads) for r in runs]
    assert len(redraws) >= 3, seen
    assert all(r.downloads == 0 for r in redraws), seen
    assert pages and all(r.downloads == 2 for r in pages)  # loss history (CSV), weights + settings (.pt)
    assert client.errors == []
