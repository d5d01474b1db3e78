"""bench/room_report.py: the room bench's verdicts are the figures' own (load goal 3's visitor among them)."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from room_report import Report  # noqa: E402


def visitor_row(idle: list[float], loaded: list[float]) -> str:
    rep = Report(50, 7, visits_idle=idle, visits_loaded=loaded, typed_idle=[0.2] * 3, typed_loaded=[0.4] * 3)
    return next(r for r in rep.table().splitlines() if r.startswith("visitor: Read a review"))


def test_the_visitor_s_ratio_is_of_the_medians_and_its_verdict_follows_it():
    met = visitor_row([3.0, 2.0, 9.0], [4.4, 1.0, 4.6])  # medians 3.0 and 4.4: 1.47x
    assert "1.47x (medians)" in met and met.endswith("goal <= 1.5x: met")
    not_met = visitor_row([3.0, 2.0, 9.0], [4.6, 1.0, 4.7])  # 4.6 / 3.0: 1.53x
    assert "1.53x (medians)" in not_met and not_met.endswith("NOT met")


def test_a_visitor_who_never_visited_during_the_window_is_a_failure_and_no_visitor_is_none():
    assert "did not visit" in " ".join(Report(10, 7, visits_idle=[3.0]).failures())
    assert Report(10, 7).failures() == []
    assert "visitor" not in Report(10, 7).table()


def test_each_move_after_the_first_is_printed_with_its_scene_times_and_cpu():
    rep = Report(100, 7, moves=[1.5] * 100, repeat_moves=[(7, 1.91, 1.84, 1.42), (8, 1.73, 1.69, 1.55)])
    rows = [r for r in rep.table().splitlines() if r.startswith("move again")]
    assert len(rows) == 2 and "scene 7" in rows[0] and "within 1.91 (median 1.84)" in rows[0]
    assert "scene 8" in rows[1] and "1.55 CPU s" in rows[1]
    assert "move again" not in Report(100, 7, moves=[1.5] * 100).table()
