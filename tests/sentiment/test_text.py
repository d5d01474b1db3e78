"""Tokenizer on the inputs users type, and the vocabulary's build/save/load/encode."""
import pytest

from playground.sentiment.text import PAD, UNK, Vocabulary, shown, tokenize


@pytest.mark.parametrize("raw,expected", [
    ("I don't like it.", ["i", "do", "n't", "like", "it", "."]),
    ("It's not bad at all!", ["it", "'s", "not", "bad", "at", "all", "!"]),
    ("Can't, won't", ["ca", "n't", ",", "wo", "n't"]),
    ("we're sure they've gone, you'll see, I'd go, I'm in, haul 'em",
     ["we", "'re", "sure", "they", "'ve", "gone", ",", "you", "'ll", "see", ",", "i", "'d", "go", ",",
      "i", "'m", "in", ",", "haul", "'em"]),
    ('a (very) "good" film...', ["a", "-lrb-", "very", "-rrb-", "``", "good", "''", "film", "..."]),
    ("point-to-point -- wow", ["point-to-point", "--", "wow"]),
    ("It’s “fine” — really…", ["it", "'s", "``", "fine", "''", "--", "really", "..."]),
    ("<b>Great</b>", ["<", "b", ">", "great", "<", "/", "b", ">"]),
    ("très bien 😀 映画", ["très", "bien", "😀", "映画"]),
    ("   \n\t ", []),
    ("", []),
])
def test_tokenize_like_the_training_data(raw, expected):
    assert tokenize(raw) == expected


def test_tokenize_keeps_already_tokenized_text():
    data_row = "it 's a charming and often affecting journey . -lrb- but does n't `` work '' -rrb-"
    assert tokenize(data_row) == data_row.split()


def test_tokenize_handles_huge_text_word_for_word():
    text = "Good movie, " * 20_000
    assert tokenize(text) == ["good", "movie", ","] * 20_000


def test_vocabulary_build_is_frequency_then_alphabetical():
    vocab = Vocabulary.build([["b", "a", "c"], ["b", "a"], ["b"]], max_size=4)
    assert vocab.itos == [PAD, UNK, "b", "a"]
    assert (vocab.pad_id, vocab.unk_id) == (0, 1)


def test_encode_marks_out_of_vocabulary():
    vocab = Vocabulary(["good", "movie"])
    enc = vocab.encode(["good", "zzz", "movie"])
    assert enc.ids == [2, 1, 3] and enc.oov == [False, True, False] and enc.n_oov == 1
    assert vocab.decode(enc.ids) == ["good", UNK, "movie"]


def test_vocabulary_json_roundtrip(tmp_path):
    vocab = Vocabulary.build([tokenize("a good, good film — not bad 😀")])
    vocab.save(tmp_path / "v.json")
    loaded = Vocabulary.load(tmp_path / "v.json")
    assert loaded.itos == vocab.itos and "😀" in loaded


def test_vocabulary_json_must_start_with_specials():
    with pytest.raises(ValueError):
        Vocabulary.from_json('{"itos": ["a", "b"]}')


def test_shown_turns_ptb_brackets_and_quotes_back_into_what_was_typed():
    tokens = tokenize('a (very) "good" film')
    assert [shown(t) for t in tokens] == ["a", "(", "very", ")", "\u201c", "good", "\u201d", "film"]
    assert shown("n't") == "n't" and shown("-lrb-") == "("
