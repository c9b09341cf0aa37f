"""word2vec text/binary files and the book's pickle: layout, round trips, gensim interop, bad files."""

import json
import os
import pickle
import struct

import numpy as np
import pytest

import w2v
from w2v import WordVectors
from w2v.cli import main
from w2v.errors import ModelFileError
from w2v.io import word2vec as formats
from w2v.io.book import save_book_pickle
from w2v.io.word2vec import load_word2vec_format, save_word2vec_format

WORDS = ["the", "ñandú", "東京", "naïve-café", "C++", "a.b/c", "😀", "x"]


@pytest.fixture
def plain_wv():
    return WordVectors(np.random.default_rng(1).standard_normal((len(WORDS), 5)), WORDS)


@pytest.fixture
def wv(plain_wv):
    """Also holds values hard to print and read back: 0.1, -0, tiny, huge and denormal."""
    vectors = plain_wv.vectors.copy()
    vectors[0] = [0.1, -0.0, 1e-30, 3.4e38, -1e-45]
    return WordVectors(vectors, WORDS)


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- layout: what word2vec.c and gensim write ---------------------------------------------

def test_text_layout_is_header_then_one_line_per_word(tmp_path):
    path = tmp_path / "v.txt"
    save_word2vec_format(WordVectors([[1.0, -0.5], [0.25, 3.0]], ["a", "ñ"]), path)
    assert path.read_bytes() == "2 2\na 1 -0.5\nñ 0.25 3\n".encode("utf-8")


def test_binary_layout_is_header_then_word_space_float32s_newline(tmp_path):
    path = tmp_path / "v.bin"
    save_word2vec_format(WordVectors([[1.0, -0.5], [0.25, 3.0]], ["a", "ñ"]), path, binary=True)
    assert path.read_bytes() == b"2 2\na " + f32(1.0, -0.5) + b"\n" + "ñ ".encode() + f32(0.25, 3.0) + b"\n"


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip_is_exact_and_keeps_the_order(tmp_path, wv, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    wv.save_word2vec_format(path, binary=binary)
    for back in (load_word2vec_format(path, binary=binary), w2v.load(path)):
        assert back.index_to_key == WORDS
        np.testing.assert_array_equal(back.vectors, wv.vectors)
        assert back.vectors.dtype == np.float32


# ---- reading what other writers produce ---------------------------------------------------

def test_reads_word2vec_c_text_with_trailing_spaces_tabs_and_crlf(tmp_path):
    path = write(tmp_path, "v.txt", b"2 3 \r\nfoo 0.100000 -0.200000 0.300000 \r\nbar\t1\t2\t3\n\n")
    wv = load_word2vec_format(path)
    assert wv.index_to_key == ["foo", "bar"]
    np.testing.assert_array_equal(wv.vectors, np.float32([[0.1, -0.2, 0.3], [1, 2, 3]]))


def test_reads_binary_with_and_without_the_newline_after_each_vector(tmp_path):
    gensim_style = b"3 2\na " + f32(1, 2) + b"b " + f32(3, 4) + b"c " + f32(5, 6)
    c_style = b"3 2\na " + f32(1, 2) + b"\nb " + f32(3, 4) + b"\n\nc " + f32(5, 6) + b"\n"
    for data in (gensim_style, c_style):
        wv = load_word2vec_format(write(tmp_path, "v.bin", data), binary=True)
        assert wv.index_to_key == ["a", "b", "c"]
        np.testing.assert_array_equal(wv.vectors, np.float32([[1, 2], [3, 4], [5, 6]]))


def test_binary_vectors_may_hold_space_and_newline_bytes(tmp_path):
    tricky = np.frombuffer(b" \n \n\n \n ", dtype="<f4")  # floats whose bytes are separators
    path = write(tmp_path, "v.bin", b"2 2\na " + tricky.tobytes() + b"\nb " + tricky.tobytes())
    np.testing.assert_array_equal(load_word2vec_format(path).vectors, [tricky, tricky])


def test_limit_reads_only_the_first_vectors_and_ignores_the_rest(tmp_path):
    text = write(tmp_path, "v.txt", b"4 2\na 1 2\nb 3 4\nc nan x\n")  # damaged after the limit
    binary = write(tmp_path, "v.bin", b"4 2\na " + f32(1, 2) + b"\nb " + f32(3, 4) + b"\nc")
    for path in (text, binary):
        wv = w2v.load(path, limit=2)
        assert wv.index_to_key == ["a", "b"]
        np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])
        with pytest.raises(ModelFileError):
            w2v.load(path)
    with pytest.raises(ModelFileError, match="one more vector"):  # a limit past the end checks the end
        w2v.load(write(tmp_path, "long.txt", b"1 1\na 1\nb 2\n"), limit=5)


@pytest.mark.parametrize("binary", [False, True])
def test_the_format_is_guessed_from_the_content_under_any_name(tmp_path, wv, binary):
    path = tmp_path / "vectors.w2v"
    wv.save_word2vec_format(path, binary=binary)
    assert w2v.load(path).index_to_key == WORDS
    assert load_word2vec_format(path).index_to_key == WORDS


def test_non_utf8_words_fail_strictly_or_follow_the_policy(tmp_path):
    cut = "東".encode()[:2]  # word2vec.c can cut a word inside a character
    for data in (b"2 1\nok 1\n" + cut + b" 2\n", b"2 1\nok " + f32(1) + b"\n" + cut + b" " + f32(2)):
        path = write(tmp_path, "v.dat", data)
        with pytest.raises(ModelFileError, match=r"v\.dat: vector 1.*not valid UTF-8.*replace"):
            w2v.load(path)
        assert w2v.load(path, unicode_errors="replace").index_to_key == ["ok", "\ufffd"]
        with pytest.raises(ModelFileError, match="vector 1 .*empty word"):
            w2v.load(path, unicode_errors="ignore")


def test_bad_read_options_are_value_errors(tmp_path, wv):
    path = tmp_path / "v.txt"
    wv.save_word2vec_format(path)
    for kwargs in ({"limit": 0}, {"limit": -1}, {"limit": 1.5}, {"unicode_errors": "surrogateescape"}):
        with pytest.raises(ValueError):
            w2v.load(path, **kwargs)


# ---- bad files: one clear error naming the file and the fault ------------------------------

BAD_FILES = [
    ("empty", b"", None, "is empty"),
    ("no header", b"a 1 2\nb 3 4\n", False, "without the 'VOCAB_SIZE VECTOR_SIZE' header line .* no_header"),
    ("no header, one value", b"a 1\nb 3\n", False, "first line should be the header"),
    ("one number header", b"2\na 1 2\n", False, "first line should be the header"),
    ("zero dimensions", b"1 0\na\n", False, "two positive integers"),
    ("negative count", b"-1 2\n", False, "first line should be the header"),
    ("fewer text vectors", b"3 2\na 1 2\nb 3 4\n", False, "ends after 2 vectors, but its header promises 3"),
    ("more text vectors", b"1 2\na 1 2\nb 3 4\n", False, "line 3 is one more vector than the 1"),
    ("short text line", b"2 3\na 1 2 3\nb 4 5\n", False,
     r"vector 1 \(line 3\) holds 2 values, but the header says 3"),
    ("long text line", b"1 2\na 1 2 3\n", False, "holds 3 values, but the header says 2"),
    ("blank text line", b"2 2\na 1 2\n\nb 3 4\n", False, r"vector 1 \(line 3\) holds 0 values"),
    ("text word only", b"2 2\na\nb 1 2\n", False, r"vector 0 \(line 2\) holds 0 values"),
    ("not a number", b"1 2\na 1 abc\n", False, "holds a value that is not a number"),
    ("text nan", b"2 2\na 1 2\nb nan 1\n", False, "vector 1 holds NaN or infinite values"),
    ("text inf", b"1 2\na 1e999 1\n", False, "vector 0 holds NaN or infinite values"),
    ("text duplicate", b"2 1\na 1\na 2\n", False, "duplicate word 'a'"),
    ("huge text header", b"1000000000 300\na 1\n", False,
     r"promises 1000000000 vectors of 300 values, more than its \d+ bytes"),
    ("truncated binary", b"2 2\na " + f32(1, 2) + b"\nb " + f32(3)[:3], True, "more than its"),
    ("binary missing vector", b"3 1\na " + f32(1) + b"b " + f32(2) + b"c" * 10, True,
     "ends inside vector 2, but its header promises 3"),
    ("binary trailing data", b"1 2\na " + f32(1, 2) + b"\nb " + f32(3, 4), True, "more data after the 1 vectors"),
    ("binary nan", b"1 2\na " + f32(1, float("nan")), True, "vector 0 holds NaN"),
    ("binary duplicate", b"2 1\na " + f32(1) + b"\na " + f32(2), True, "duplicate word 'a'"),
    ("binary empty word", b"2 1\na " + f32(1) + b"\n " + f32(2), True, "vector 1 has an empty word"),
]


@pytest.mark.parametrize("name, data, binary, message", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_files_give_a_clear_error_naming_the_file(tmp_path, name, data, binary, message):
    suffix = {None: ".txt", False: ".txt", True: ".bin"}[binary]
    path = write(tmp_path, "bad" + suffix, data)
    for read in (lambda: load_word2vec_format(path, binary=binary), lambda: w2v.load(path)):
        with pytest.raises(ModelFileError, match=message) as error:
            read()
        assert str(error.value).startswith(str(path))


GLOVE = b"the 0.1 -0.2 0.3\n, 1 2 3\n\xc3\xb1and\xc3\xba -1e-3 4.5 6\n1990 7 8 9\n"


@pytest.mark.parametrize("name", ["glove.6B.3d.txt", "glove.data"])
def test_headerless_text_vectors_are_recognised_and_read_with_no_header(tmp_path, gensim_kv, name):
    path = write(tmp_path, name, GLOVE)
    with pytest.raises(ModelFileError, match="GloVe's format.* no_header"):
        w2v.load(path)
    ours = w2v.load(path, no_header=True)
    theirs = gensim_kv.load_word2vec_format(str(path), no_header=True)
    assert ours.index_to_key == theirs.index_to_key == ["the", ",", "ñandú", "1990"]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert w2v.load(path, no_header=True, limit=2).index_to_key == ["the", ","]
    assert load_word2vec_format(path, no_header=True, limit=4).index_to_key == ours.index_to_key


@pytest.mark.parametrize("data, message", [
    (b"a 1 2\nb 3\n", r"vector 1 \(line 2\) holds 1 values, but the first line has 2"),
    (b"a\n", "holds a word and no values"),
    (b"\na 1 2\n", "starts with a blank line"),
])
def test_bad_headerless_files_name_the_line(tmp_path, data, message):
    path = write(tmp_path, "v.txt", data)
    with pytest.raises(ModelFileError, match=message):
        w2v.load(path, no_header=True)


def test_no_header_is_for_text_files(tmp_path, wv):
    wv.save(tmp_path / "v.npz")
    with pytest.raises(ModelFileError, match="no_header applies to word2vec text files"):
        w2v.load(tmp_path / "v.npz", no_header=True)
    with pytest.raises(ValueError, match="no_header applies to text files"):
        load_word2vec_format(tmp_path / "v.npz", binary=True, no_header=True)


def test_a_directory_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="is a directory"):
        load_word2vec_format(tmp_path)
    with pytest.raises(ModelFileError, match="no such file"):
        load_word2vec_format(tmp_path / "missing.bin")


# ---- writing: refusals and atomicity ------------------------------------------------------

@pytest.mark.parametrize("word", ["two words", "tab\there", "new\nline", ""])
def test_words_that_would_break_the_file_are_refused(tmp_path, word):
    path = tmp_path / "v.txt"
    with pytest.raises(ModelFileError, match="must be non-empty and hold none"):
        save_word2vec_format(WordVectors([[1.0], [2.0]], ["ok", word]), path)
    assert not path.exists()


def test_nan_and_empty_vectors_are_not_written(tmp_path):
    with pytest.raises(ModelFileError, match="vector 1 holds NaN"):
        save_word2vec_format(WordVectors([[1.0], [np.nan]], ["a", "b"]), tmp_path / "v.txt")
    with pytest.raises(ModelFileError, match="nothing to write"):
        save_word2vec_format(WordVectors(np.zeros((0, 3)), []), tmp_path / "v.bin", binary=True)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("binary", [False, True])
def test_an_interrupted_export_keeps_the_old_file_and_leaves_no_temporary(tmp_path, wv, monkeypatch, binary):
    path = tmp_path / "v.out"
    path.write_bytes(b"old contents")

    def write_some_then_stop(handle, words, vectors):
        handle.write(words[0] + b" half a vector")
        raise KeyboardInterrupt

    monkeypatch.setattr(formats, "_write_binary" if binary else "_write_text", write_some_then_stop)
    with pytest.raises(KeyboardInterrupt):
        save_word2vec_format(wv, path, binary=binary)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["v.out"]


# ---- gensim, a real client ----------------------------------------------------------------

@pytest.fixture
def gensim_kv():
    return pytest.importorskip("gensim.models").KeyedVectors


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files(tmp_path, wv, gensim_kv, binary):
    path = tmp_path / "ours.out"
    wv.save_word2vec_format(path, binary=binary)
    theirs = gensim_kv.load_word2vec_format(str(path), binary=binary)
    assert theirs.index_to_key == WORDS
    np.testing.assert_array_equal(theirs.vectors, wv.vectors)  # 9 digits print a float32 exactly
    limited = gensim_kv.load_word2vec_format(str(path), binary=binary, limit=3)
    assert limited.index_to_key == WORDS[:3]


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensims_files_with_and_without_limit(tmp_path, wv, gensim_kv, binary):
    theirs = gensim_kv(vector_size=wv.vector_size)
    theirs.add_vectors(WORDS, wv.vectors)
    path = tmp_path / ("gensim.bin" if binary else "gensim.txt")
    theirs.save_word2vec_format(str(path), binary=binary)
    ours = w2v.load(path)
    assert ours.index_to_key == WORDS
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)  # gensim's text is exact too
    limited = load_word2vec_format(path, binary=binary, limit=3)
    assert limited.index_to_key == WORDS[:3]
    np.testing.assert_array_equal(limited.vectors, theirs.vectors[:3])


def test_gensim_and_we_agree_on_non_utf8_words_under_replace_and_ignore(tmp_path, gensim_kv):
    data = b"2 1\ncaf\xe9 " + f32(1) + b"\nok " + f32(2)
    path = write(tmp_path, "latin1.bin", data)
    for policy in ("replace", "ignore"):
        theirs = gensim_kv.load_word2vec_format(str(path), binary=True, unicode_errors=policy)
        assert w2v.load(path, unicode_errors=policy).index_to_key == theirs.index_to_key


# ---- the book's pickle ---------------------------------------------------------------------

class _OnlyPlainArrays(pickle.Unpickler):
    """Refuses every global but the two the book pickle needs: proof that it names no numpy internals."""

    def find_class(self, module, name):
        if (module, name) in {("numpy", "ndarray"), ("builtins", "bytearray")}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")


def test_book_pickle_holds_what_the_books_eval_py_reads(tmp_path, plain_wv):
    path = tmp_path / "cbow_params.pkl"
    save_book_pickle(plain_wv, path)
    with open(path, "rb") as handle:  # our own file, written just now
        params = _OnlyPlainArrays(handle).load()
    assert set(params) == {"word_vecs", "word_to_id", "id_to_word"}
    word_vecs = params["word_vecs"]
    assert word_vecs.dtype == np.float16
    np.testing.assert_array_equal(word_vecs, plain_wv.vectors.astype(np.float16))
    assert params["word_to_id"] == {word: i for i, word in enumerate(WORDS)}
    assert params["id_to_word"] == dict(enumerate(WORDS))
    assert all(type(i) is int for i in params["id_to_word"])
    word_vecs /= 2  # the book's normalize() divides in place: the array must be writable


def test_the_books_cosine_search_on_the_pickle_finds_our_neighbours(tmp_path):
    rng = np.random.default_rng(0)
    wv = WordVectors(rng.standard_normal((50, 8)), [f"w{i}" for i in range(50)])
    path = tmp_path / "cbow_params.pkl"
    save_book_pickle(wv, path)
    with open(path, "rb") as handle:
        params = _OnlyPlainArrays(handle).load()
    matrix = params["word_vecs"].astype(np.float32)
    query = matrix[params["word_to_id"]["w3"]]
    cosine = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    cosine[params["word_to_id"]["w3"]] = -np.inf
    book_top = [params["id_to_word"][int(i)] for i in np.argsort(-cosine)[:3]]
    assert book_top == [word for word, _ in wv.most_similar("w3", topn=3)]


def test_book_pickle_refuses_values_float16_cannot_hold(tmp_path):
    with pytest.raises(ModelFileError, match="float16"):
        save_book_pickle(WordVectors([[1e5]], ["a"]), tmp_path / "p.pkl")
    assert not (tmp_path / "p.pkl").exists()


def test_the_exported_pickle_is_refused_by_load_with_the_reason(tmp_path, plain_wv):
    path = tmp_path / "cbow_params.pkl"
    save_book_pickle(plain_wv, path)
    with pytest.raises(ModelFileError, match="runs whatever code") as error:
        w2v.load(path)
    assert ".npz" in str(error.value) and ".bin" in str(error.value)


# ---- the export command --------------------------------------------------------------------

@pytest.fixture
def model(tmp_path, plain_wv):
    path = tmp_path / "m.npz"
    plain_wv.save(path)
    return path


@pytest.mark.parametrize("out, fmt", [("v.txt", None), ("v.vec", None), ("v.bin", None), ("v.dat", "binary"),
                                      ("v.w2v", "text"), ("back.npz", None)])
def test_export_writes_each_format(tmp_path, model, plain_wv, capsys, out, fmt):
    argv = ["export", str(model), str(tmp_path / out)] + (["--format", fmt] if fmt else [])
    assert main(argv) == 0
    assert f"wrote {len(WORDS)} vectors of 5 dimensions" in capsys.readouterr().out
    back = w2v.load(tmp_path / out)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, plain_wv.vectors)


def test_export_book_pickle_limit_and_conversion_back(tmp_path, model, capsys):
    assert main(["export", str(model), str(tmp_path / "cbow_params.pkl")]) == 0
    with open(tmp_path / "cbow_params.pkl", "rb") as handle:
        assert len(_OnlyPlainArrays(handle).load()["id_to_word"]) == len(WORDS)
    assert main(["export", str(model), str(tmp_path / "v.bin"), "--limit", "3"]) == 0
    assert main(["export", str(tmp_path / "v.bin"), str(tmp_path / "v.txt")]) == 0
    assert w2v.load(tmp_path / "v.txt").index_to_key == WORDS[:3]


def test_export_and_queries_take_a_unicode_errors_policy(tmp_path, capsys):
    path = write(tmp_path, "latin1.txt", b"2 2\ncaf\xe9 1 0\nok 0.9 0.1\n")
    assert main(["similar", str(path), "ok"]) == 1
    assert "not valid UTF-8" in capsys.readouterr().err
    assert main(["similar", str(path), "ok", "--unicode-errors", "replace", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["results"][0]["word"] == "caf\ufffd"
    assert main(["export", str(path), str(tmp_path / "v.bin"), "--unicode-errors", "ignore"]) == 0
    assert w2v.load(tmp_path / "v.bin").index_to_key == ["caf", "ok"]


def test_float16_export_halves_the_npz_and_loads_back_as_float32(tmp_path, model, plain_wv, capsys):
    big = WordVectors(np.random.default_rng(2).standard_normal((2000, 50)), [f"w{i}" for i in range(2000)])
    big.save(tmp_path / "big.npz")
    assert main(["export", str(tmp_path / "big.npz"), str(tmp_path / "half.npz"), "--dtype", "float16"]) == 0
    assert "(npz, float16)" in capsys.readouterr().out
    assert (tmp_path / "half.npz").stat().st_size < 0.55 * (tmp_path / "big.npz").stat().st_size
    back = w2v.load(tmp_path / "half.npz")
    assert back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors, big.vectors.astype(np.float16).astype(np.float32))
    with pytest.raises(ModelFileError, match="beyond float16's"):
        WordVectors(np.array([[1e5, 0.0]]), ["a"]).save(tmp_path / "huge.npz", dtype="float16")


def test_no_header_on_the_command_line(tmp_path, capsys):
    path = write(tmp_path, "glove.txt", GLOVE)
    assert main(["similar", str(path), "the"]) == 1
    err = capsys.readouterr().err
    assert "it can be read with --no-header" in err and len(err.strip().splitlines()) == 1
    assert main(["export", str(path), str(tmp_path / "v.bin"), "--no-header"]) == 0
    assert w2v.load(tmp_path / "v.bin").index_to_key == ["the", ",", "ñandú", "1990"]


@pytest.mark.parametrize("out, message", [("v.xyz", "cannot tell the format"), ("nodir/v.txt", "does not exist"),
                                          ("v.bin", "--dtype float16 applies to .npz files only")])
def test_export_errors_end_with_one_clear_line(tmp_path, model, capsys, out, message):
    dtype = ["--dtype", "float16"] if out == "v.bin" else []
    assert main(["export", str(model), str(tmp_path / out), *dtype]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
