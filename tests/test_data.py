"""Tokenizer, split loading with its error messages, and the reference n-gram walk."""

import itertools

import pytest
import torch

from ngram_helpers.data import DatasetError, NgramTable, Tokenizer, load_names, ngram_windows


def write_splits(folder, train="anna\nbob\neve\nada\n", val="eve\n", test="ada\n"):
    for name, text in (("train", train), ("val", val), ("test", test)):
        (folder / f"{name}.txt").write_bytes(text.encode())
    return folder


def test_tokenizer_round_trip_and_end_token(names_data):
    tok = names_data.tokenizer
    assert tok.vocab_size == 27 and tok.end_token == 0
    assert tok.chars[1:] == "abcdefghijklmnopqrstuvwxyz"
    text = names_data.text["val"][:200]
    assert tok.decode(tok.encode(text)) == text


def test_tokenizer_unknown_character_is_named():
    with pytest.raises(ValueError, match="'Z' is not in the vocabulary"):
        Tokenizer.from_text("ab\n").encode("aZ")


def test_the_message_lists_the_letters_plainly():
    with pytest.raises(ValueError, match="'7' is not in the vocabulary, whose letters are a-z$"):
        Tokenizer("\nabcdefghijklmnopqrstuvwxyz").encode("m7")
    assert Tokenizer.from_text("ab\n").letters() == "a b"
    assert Tokenizer.from_text("mary-jane o'neil\nabc\nxyz").letters() == (
        "' ' \"'\" '-' a-c e i j l-o r x-z"
    )


def test_encoding_is_the_character_by_character_lookup(names_data):
    tok = names_data.tokenizer
    text = names_data.text["train"]
    assert tok.encode(text) == [tok.char_to_token[c] for c in text]
    wide = Tokenizer("".join(chr(0x4E00 + i) for i in range(300)))  # ids beyond one byte
    text = "".join(wide.chars[i] for i in (299, 0, 256, 255, 7))
    assert wide.encode(text) == [299, 0, 256, 255, 7] and wide.decode(wide.encode(text)) == text


def test_the_first_unknown_character_is_the_one_named():
    with pytest.raises(ValueError, match="'Q' is not in the vocabulary"):
        Tokenizer.from_text("ab\n").encode("abQaZ")


def test_the_windows_are_a_view_of_one_compact_stream():
    tokens = list(range(27)) * 100
    table = NgramTable(tokens, 5)
    assert table.contexts.untyped_storage().nbytes() == 4 * len(tokens)  # int32, no copies
    x, y = table.batch(3, 64)
    assert x.dtype == y.dtype == torch.int64 and x.is_contiguous()


def test_shipped_dataset_counts(names_data):
    assert [len(names_data.names(s)) for s in ("train", "val", "test")] == [30469, 1000, 1000]


def test_windows_line_endings_are_accepted(tmp_path):
    data = load_names(write_splits(tmp_path, train="anna\r\nbob\r\neve\r\nada\r\n"))
    assert data.names("train") == ["anna", "bob", "eve", "ada"]


def test_missing_final_newline_is_added(tmp_path):
    assert load_names(write_splits(tmp_path, val="eve")).text["val"] == "eve\n"


@pytest.mark.parametrize(
    ("train", "message"),
    [
        ("ada\nbo b\neve\n", r"train.txt:2:3: character ' ' is not a lowercase letter"),
        ("ada\nBob\neve\n", r"train.txt:2:1: character 'B'"),
        ("ada\n\neve\n", r"train.txt:2: empty line"),
        ("", r"train.txt: file is empty"),
        ("\n\n", r"train.txt: file is empty"),
        ("zoë\n", r"train.txt:1:3: character 'ë'"),
    ],
)
def test_bad_lines_name_file_line_and_character(tmp_path, train, message):
    with pytest.raises(DatasetError, match=message):
        load_names(write_splits(tmp_path, train=train))


def test_missing_file_and_folder(tmp_path):
    write_splits(tmp_path)
    (tmp_path / "val.txt").unlink()
    with pytest.raises(DatasetError, match=r"val.txt: file not found"):
        load_names(tmp_path)
    with pytest.raises(DatasetError, match="data folder not found"):
        load_names(tmp_path / "nope")


def test_character_missing_from_train(tmp_path):
    with pytest.raises(DatasetError, match=r"test.txt: characters 'z' never occur in train"):
        load_names(write_splits(tmp_path, test="zed\n"))


def reference_walk(tokens, t, b, num_batches):
    """The walk written out example by example, straight from its definition."""
    pos, xs, ys = 0, [], []
    for _ in range(num_batches * b):
        xs.append(tokens[pos : pos + t])
        ys.append(tokens[pos + t])
        pos += 1
        if pos + t >= len(tokens):
            pos = 0
    return torch.tensor(xs).view(num_batches, b, t), torch.tensor(ys).view(num_batches, b)


def test_walk_matches_definition_and_wraps():
    tokens = list(range(10))  # short, so the walk wraps many times
    xs, ys = reference_walk(tokens, 3, 4, 6)
    for k, (x, y) in enumerate(itertools.islice(ngram_windows(tokens, 3, 4), 6)):
        assert torch.equal(x, xs[k]) and torch.equal(y, ys[k])
    table = NgramTable(tokens, 3)
    for k in range(6):
        x, y = table.batch(k, 4)
        assert torch.equal(x, xs[k]) and torch.equal(y, ys[k])


def test_first_batches_of_the_names_walk(names_data):
    tokens = names_data.tokens["train"]
    table = NgramTable(tokens, 3)
    walk = ngram_windows(tokens, 3, 128)
    for k in range(3):
        x, y = next(walk)
        tx, ty = table.batch(k, 128)
        assert torch.equal(x, tx) and torch.equal(y, ty)
    first = names_data.names("train")[0]
    x, y = table.batch(0, 128)
    assert names_data.tokenizer.decode(x[0].tolist()) == first[:3]
    assert names_data.tokenizer.decode([int(y[0])]) == first[3]
