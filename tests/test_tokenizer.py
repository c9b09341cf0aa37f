"""The compiled tokenizer agrees with Python: str.split() tokens, UTF-8 validity, first appearance ids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from w2v.text._tokenizer import NEWLINE, Interner, first_bad_byte

SPACES = " \t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
text = st.text(alphabet=st.sampled_from(list("ab\u00e9\u6771\U0001f600\n") + list(SPACES)), max_size=80)


def tokens_of(data: bytes) -> list[list[str]]:
    interner = Interner()
    ids = interner.encode(data)
    words = interner.words
    lines, line = [], []
    for i in ids:
        if i == NEWLINE:
            lines.append(line)
            line = []
        else:
            line.append(words[i])
    return lines + [line]


@settings(max_examples=300, deadline=None)
@given(text)
def test_tokens_are_what_str_split_gives_line_by_line(sample):
    data = sample.encode("utf-8")
    assert tokens_of(data) == [line.split() for line in sample.split("\n")]
    assert first_bad_byte(np.frombuffer(data, dtype=np.uint8)) == -1
    interner = Interner()
    ids = interner.encode(data)
    breaks = sample.count("\n")
    assert np.count_nonzero(ids == NEWLINE) == breaks and ids.size == breaks + len(sample.split())
    assert interner.tokens == len(sample.split())


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40))
def test_invalid_utf8_and_nul_are_found_where_python_finds_them(data):
    bad = first_bad_byte(np.frombuffer(data, dtype=np.uint8))
    try:
        data.decode("utf-8")
        expected = data.find(b"\x00")
    except UnicodeDecodeError as err:
        nul = data.find(b"\x00", 0, err.start)
        expected = nul if nul >= 0 else err.start
    assert bad == expected


def test_ids_follow_first_appearance_and_counts_add_up():
    interner = Interner(capacity=2)  # forces the table to grow and rehash
    words = [f"w{i % 37}" for i in range(500)]
    ids = interner.encode((" ".join(words) + "\n").encode())
    assert interner.words[1:] == [f"w{i}" for i in range(37)]
    assert ids[-1] == NEWLINE and list(ids[:3]) == [1, 2, 3]
    np.testing.assert_array_equal(interner.word_counts[1:], np.bincount([i % 37 for i in range(500)]))


def test_the_encoder_never_writes_past_its_buffers():
    from w2v.text._tokenizer import NO_ROOM, encode_bytes

    interner = Interner(capacity=4)
    data = np.frombuffer(b"a b c d e f g h\n", dtype=np.uint8)
    whole = np.full(8, 7, dtype=np.int32)
    out = whole[:3]  # room for 3 of the 9 ids; the rest of ``whole`` shows any write past it
    table = (*interner._table(), interner.counts, interner.firsts, interner.sizes)
    assert encode_bytes(data, out, *table, False) == NO_ROOM
    assert out.tolist() == [1, 2, 3] and whole[3:].tolist() == [7] * 5
    small = Interner(capacity=2)  # a table with room for fewer words than the text holds, not grown
    result = encode_bytes(data, np.empty(16, np.int32), *small._table(), small.counts, small.firsts, small.sizes, False)
    assert result == NO_ROOM and len(small) <= 2


def test_first_positions_and_frozen_lookups():
    interner = Interner()
    interner.encode(b"x y\nz x\n")
    assert interner.first_positions[1:].tolist() == [0, 1, 2]  # x, y, z: tokens before each first appearance
    ids = interner.encode(b"x w\n", frozen=True)
    assert ids.tolist() == [1, -1, NEWLINE] and len(interner) == 3
