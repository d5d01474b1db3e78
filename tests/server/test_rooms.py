"""Rooms: open, join, move, branch off, rejoin, expire, full; only the presenter's secret moves a room."""
import pytest

from playground.server.rooms import ALPHABET, CODE_LENGTH, RoomError, Rooms, normal_code, spaced


def test_a_room_has_a_short_code_read_aloud_without_ambiguous_letters():
    rooms = Rooms()
    codes = {rooms.open(0.0)[0].code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
        assert not set(code) & set("0O1I2Z5S8B")
    assert normal_code("kq7-m 4") == "KQ7M4" and spaced("KQ7M4") == "KQ7-M4"


def test_followers_see_where_the_presenter_moved_and_each_move_counts_once():
    rooms = Rooms()
    room, secret = rooms.open(0.0, "read_a_review", {"text": "good"})
    joined = rooms.join(spaced(room.code).lower(), "student-1", 1.0)  # typed as read aloud
    assert joined is room and room.where == (0, "read_a_review", {"text": "good"})
    assert rooms.move(room.code, secret, "train_live", {"task": "parity"}, 2.0) == 1
    assert rooms.move(room.code, secret, "train_live", {"task": "parity"}, 3.0) == 1  # not a move: same place
    assert rooms.get(room.code).where == (1, "train_live", {"task": "parity"})


@pytest.mark.parametrize("secret", [None, "", "guess", "x" * 32])
def test_only_the_presenter_s_secret_moves_or_closes_a_room(secret):
    rooms = Rooms()
    room, real = rooms.open(0.0, "read_a_review", {})
    with pytest.raises(RoomError, match="Only the room's presenter"):
        rooms.move(room.code, secret, "train_live", {"task": "parity"}, 1.0)
    with pytest.raises(RoomError):
        rooms.close(room.code, secret)
    other, other_secret = rooms.open(0.0)
    with pytest.raises(RoomError):  # a presenter of another room has no rights here
        rooms.move(room.code, other_secret, "train_live", {}, 1.0)
    with pytest.raises(RoomError, match="Only the room's presenter"):
        rooms.share(room.code, secret, "why:race", ("race", "forged"), 1.0)
    assert rooms.get(room.code).where == (0, "read_a_review", {}) and rooms.get(room.code).shared == {}
    assert rooms.is_presenter(room.code, real) and not rooms.is_presenter(room.code, secret)


def test_a_presenter_s_result_is_shared_once_and_moves_the_followers_to_show_it():
    rooms = Rooms()
    room, secret = rooms.open(0.0, "why_lstm_gru", {"T": "20"})
    assert rooms.share(room.code, secret, "why:race", ("race", 1), 5.0) == 1  # the followers run their page again
    assert rooms.share(room.code, secret, "why:race", ("race", 1), 6.0) == 1  # the same result: no move
    assert rooms.share(room.code, secret, "train:sampled", "hello", 7.0) == 2
    assert room.shared == {"why:race": ("race", 1), "train:sampled": "hello"} and room.moved == 7.0
    assert room.where == (2, "why_lstm_gru", {"T": "20"})  # where the room is has not changed


def test_branching_off_and_back_is_counted():
    rooms = Rooms()
    room, _ = rooms.open(0.0)
    for i in range(3):
        rooms.join(room.code, f"s{i}", 1.0)
    rooms.seen(room.code, "s0", 2.0, branched=True)
    assert room.counts(2.0) == (2, 1)
    rooms.join(room.code, "s0", 3.0)  # Back to the lecture
    assert room.counts(3.0) == (3, 0)
    assert room.counts(3.0 + 60) == (0, 0)  # nobody heard of for a minute: not counted as in the room


def test_a_full_room_refuses_a_new_follower_with_a_way_on_but_not_one_already_in():
    rooms = Rooms(max_followers=2)
    room, _ = rooms.open(0.0)
    rooms.join(room.code, "a", 1.0)
    rooms.join(room.code, "b", 1.0)
    with pytest.raises(RoomError, match="full.*on your own"):
        rooms.join(room.code, "c", 2.0)
    rooms.join(room.code, "a", 2.0)  # one already in comes back
    rooms.join(room.code, "c", 100.0)  # the silent ones have left meanwhile: room for a new one


def test_an_idle_room_expires_and_its_code_says_so():
    rooms = Rooms(idle_after=100.0)
    room, secret = rooms.open(0.0)
    rooms.move(room.code, secret, "train_live", {}, 50.0)
    assert rooms.get(room.code, now=140.0) is room  # moved at 50: not idle yet
    with pytest.raises(RoomError, match="no open room"):
        rooms.get(room.code, now=151.0)
    with pytest.raises(RoomError, match="no open room"):
        rooms.join("ZZZZZ", "a", 0.0)
    with pytest.raises(RoomError, match="^There is no open room 'a pasted par…': check") as wrong:
        rooms.join("a pasted paragraph " * 50, "a", 0.0)  # a message quotes a few characters of it, not all
    assert len(str(wrong.value)) < 200


def test_the_server_holds_a_bounded_number_of_rooms():
    rooms = Rooms(max_rooms=2, idle_after=10.0)
    rooms.open(0.0)
    first, secret = rooms.open(0.0)
    with pytest.raises(RoomError, match="limit"):
        rooms.open(1.0)
    rooms.close(first.code, secret)
    rooms.open(1.0)  # a closed room frees its place
    assert len(rooms.open(20.0)[0].code) == CODE_LENGTH  # the idle ones have expired


def test_a_replica_s_codes_start_with_its_letter_so_a_proxy_can_route_by_them():
    rooms = Rooms(replica="K")
    assert all(rooms.open(0.0)[0].code.startswith("K") for _ in range(10))
    with pytest.raises(ValueError):
        Rooms(replica="O")  # not a letter codes use
