"""fastText's binary model: its layout, what the fasttext wheel and gensim make of our files and we of theirs, and
damaged files refused with one ModelFileError each."""

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.cli import main
from w2v.errors import ConfigError, ModelFileError
from w2v.io import read_vectors, write_vectors
from w2v.io.fasttext import MAGIC, load_fasttext_bin, save_fasttext_bin
from w2v.io.stored import StoredVectors
from w2v.text.subwords import Subwords

WORDS = ["</s>", "ñandú", "東京", "cat"]
DIM, BUCKETS = 3, 7
ARGS = struct.Struct("<12id")
HEAD = 8 + ARGS.size + struct.calcsize("<3i2q")  # signature, args, dictionary sizes


def subword_vectors(words=WORDS, dim=DIM, buckets=BUCKETS, counts=(9, 5, 3, 2), model="skipgram", output=True):
    rng = np.random.default_rng(0)
    arrays = {"ngram_vectors": rng.standard_normal((buckets, dim)).astype(np.float32)}
    if output:
        arrays["output_vectors"] = rng.standard_normal((len(words), dim)).astype(np.float32)
    return StoredVectors(rng.standard_normal((len(words), dim)).astype(np.float32), list(words),
                         None if counts is None else np.array(counts, dtype=np.int64),
                         info={"config": {"model": model}},
                         extras={"subwords": {"minn": 2, "maxn": 4, "buckets": buckets, "vectors": "own rows"}},
                         extra_arrays=arrays)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "model.bin"
    save_fasttext_bin(subword_vectors(), path)
    return path


def entries_end(words=WORDS) -> int:
    return HEAD + sum(len(w.encode()) + 1 + 9 for w in words)


# ---- layout: what fastText's saveModel writes ------------------------------------------------

def test_the_layout_is_fasttexts_signature_args_dictionary_and_two_matrices(written):
    stored = subword_vectors()
    data = written.read_bytes()
    assert struct.unpack_from("<2i", data) == (MAGIC, 12)
    assert ARGS.unpack_from(data, 8) == (DIM, 5, 5, 1, 5, 1, 2, 2, BUCKETS, 2, 4, 100, 1e-4)
    assert struct.unpack_from("<3i2q", data, 8 + ARGS.size) == (4, 4, 0, 19, -1)
    pos = HEAD
    for word, count in zip(WORDS, [9, 5, 3, 2]):
        encoded = word.encode() + b"\0"
        assert data[pos:pos + len(encoded)] == encoded
        assert struct.unpack_from("<qb", data, pos + len(encoded)) == (count, 0)
        pos += len(encoded) + 9
    assert struct.unpack_from("<?2q", data, pos) == (False, 4 + BUCKETS, DIM)
    pos += 17
    rows = np.frombuffer(data, "<f4", (4 + BUCKETS) * DIM, pos).reshape(-1, DIM)
    np.testing.assert_array_equal(rows, np.vstack([stored.vectors, stored.extra_arrays["ngram_vectors"]]))
    pos += rows.nbytes
    assert struct.unpack_from("<?2q", data, pos) == (False, 4, DIM)
    output = np.frombuffer(data, "<f4", 4 * DIM, pos + 17).reshape(-1, DIM)
    np.testing.assert_array_equal(output, stored.extra_arrays["output_vectors"])
    assert pos + 17 + output.nbytes == len(data)


@pytest.mark.parametrize("mmap", [False, True])
def test_what_w2v_writes_it_reads_back_by_the_convention(written, mmap):
    stored = subword_vectors()
    back = read_vectors(written, mmap=mmap)
    assert back.index_to_key == WORDS and back.counts.tolist() == [9, 5, 3, 2]
    np.testing.assert_array_equal(back.vectors, stored.vectors)
    assert sorted(back.extra_arrays) == ["ngram_vectors", "output_vectors"]
    for name, array in back.extra_arrays.items():
        np.testing.assert_array_equal(array, stored.extra_arrays[name])
    assert back.extras["subwords"] == {"minn": 2, "maxn": 4, "buckets": BUCKETS, "vectors": "own rows"}
    assert back.extras["fasttext"] == {"dim": DIM, "ws": 5, "epoch": 5, "minCount": 1, "neg": 5, "wordNgrams": 1,
                                       "loss": 2, "model": 2, "bucket": BUCKETS, "minn": 2, "maxn": 4,
                                       "lrUpdateRate": 100, "t": 1e-4, "version": 12, "ntokens": 19, "nlabels": 0}
    for array in (back.vectors, *back.extra_arrays.values()):
        assert array.dtype == np.float32 and isinstance(array, np.memmap) == mmap
        if mmap:
            assert not array.flags.writeable and Path(array.filename) == written.resolve()


def test_the_model_comes_from_the_training_config_and_counts_default_to_one(tmp_path):
    save_fasttext_bin(subword_vectors(model="cbow", counts=None, output=False), tmp_path / "cbow.bin")
    back = load_fasttext_bin(tmp_path / "cbow.bin")
    assert back.extras["fasttext"]["model"] == 1 and back.extras["fasttext"]["ntokens"] == 4
    assert back.counts.tolist() == [1, 1, 1, 1]
    assert not back.extra_arrays["output_vectors"].any()


def test_writing_what_was_read_gives_the_same_file(tmp_path, written):
    write_vectors(read_vectors(written), tmp_path / "again.bin", "fasttext")
    assert (tmp_path / "again.bin").read_bytes() == written.read_bytes()
    write_vectors(read_vectors(written, mmap=True), written, "fasttext")  # over the file it maps
    assert (tmp_path / "again.bin").read_bytes() == written.read_bytes()


def test_limit_keeps_the_first_words_and_every_ngram_row(written):
    for mmap in (False, True):
        back = read_vectors(written, limit=2, mmap=mmap)
        assert back.index_to_key == WORDS[:2] and back.counts.tolist() == [9, 5]
        assert back.vectors.shape == back.extra_arrays["output_vectors"].shape == (2, DIM)
        assert back.extra_arrays["ngram_vectors"].shape == (BUCKETS, DIM)


@pytest.mark.parametrize("name", ["model.bin", "model.dat", "model", "model.vec"])
def test_the_format_is_told_by_its_magic_number_whatever_the_name(tmp_path, written, name):
    path = tmp_path / name
    path.write_bytes(written.read_bytes())
    assert read_vectors(path).extras["subwords"]["buckets"] == BUCKETS
    word2vec = tmp_path / "word2vec.bin"
    w2v.WordVectors(np.eye(2), ["a", "b"]).save(word2vec)
    assert "subwords" not in read_vectors(word2vec).extras  # .bin is still word2vec's binary


def test_a_vec_file_as_fasttext_writes_it_loads(tmp_path):
    # fastText's saveVectors: "V D", then each word and D values, each value followed by a space.
    path = tmp_path / "model.vec"
    path.write_bytes("3 2\n</s> 0.1 -0.2 \nñandú 1e-05 3 \ncat -1.5 0.25 \n".encode())
    wv = w2v.load(path)
    assert wv.index_to_key == ["</s>", "ñandú", "cat"]
    np.testing.assert_array_equal(wv.vectors, np.array([[0.1, -0.2], [1e-5, 3], [-1.5, 0.25]], dtype=np.float32))


# ---- what the writer refuses ------------------------------------------------------------------

def test_only_a_subword_models_own_rows_are_written(tmp_path):
    plain = StoredVectors(np.ones((2, 3), dtype=np.float32), ["a", "b"])
    with pytest.raises(ConfigError, match="subword model"):
        write_vectors(plain, tmp_path / "v.bin", "fasttext")
    composed = subword_vectors()
    composed.extras["subwords"] = {**composed.extras["subwords"], "vectors": "composed"}
    with pytest.raises(ConfigError, match="subword model"):
        save_fasttext_bin(composed, tmp_path / "v.bin")
    with pytest.raises(ConfigError, match="float32"):
        write_vectors(subword_vectors(), tmp_path / "v.bin", "fasttext", dtype="float16")
    assert not (tmp_path / "v.bin").exists()


@pytest.mark.parametrize("change, message", [
    (lambda s: s.extra_arrays.update(ngram_vectors=np.zeros((3, DIM), np.float32)), "one row per bucket"),
    (lambda s: s.extra_arrays.update(output_vectors=np.zeros((2, DIM), np.float32)), "like the vectors"),
    (lambda s: s.extras.update(fasttext={"dim": 9}), "says dim 9"),
    (lambda s: s.extras.update(fasttext={"model": 3}), "unsupervised"),
    (lambda s: s.extras.update(fasttext={"ws": 2**40}), "32-bit"),
    (lambda s: s.index_to_key.__setitem__(1, "a\0b"), "NUL"),
    (lambda s: s.index_to_key.__setitem__(1, "cat"), "twice"),
    (lambda s: s.vectors.__setitem__((1, 1), np.nan), "NaN"),
])
def test_inconsistent_parts_are_refused_before_writing(tmp_path, change, message):
    stored = subword_vectors()
    change(stored)
    with pytest.raises((ConfigError, ModelFileError), match=message):
        save_fasttext_bin(stored, tmp_path / "v.bin")
    assert not (tmp_path / "v.bin").exists()


def test_export_of_vectors_without_subwords_ends_with_the_writers_one_line(tmp_path, capsys):
    w2v.WordVectors(np.eye(3), ["a", "b", "c"]).save(tmp_path / "m.npz")
    assert main(["export", str(tmp_path / "m.npz"), str(tmp_path / "out.bin"), "--format", "fasttext"]) == 1
    err = capsys.readouterr().err
    assert "subword model" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.bin").exists()


# ---- damaged files: one ModelFileError each ------------------------------------------------------

def _patched(data: bytes, at: int, fmt: str, *values) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, *values)
    return bytes(out)


_END = entries_end()
_INPUT = _END + 17
_OUTPUT = _INPUT + 4 * (4 + BUCKETS) * DIM
DAMAGED = {
    "version 13": (lambda d: _patched(d, 4, "<i", 13), "version 13; w2v reads versions 11 and 12"),
    "version 10": (lambda d: _patched(d, 4, "<i", 10), "version 10"),
    "dim 0": (lambda d: _patched(d, 8, "<i", 0), "dim is 0"),
    "huge dim": (lambda d: _patched(d, 8, "<i", 2**31 - 1), "dim is 2147483647"),
    "unknown loss": (lambda d: _patched(d, 8 + 24, "<i", 9), "loss"),
    "huge bucket": (lambda d: _patched(d, 8 + 32, "<i", 2**31 - 1), "input matrix is declared"),
    "negative bucket": (lambda d: _patched(d, 8 + 32, "<i", -1), "negative"),
    "huge dictionary": (lambda d: _patched(d, 8 + ARGS.size, "<3i", 2**31 - 1, 2**31 - 1, 0), "at most 30,000,000"),
    "a dictionary too large for the file": (lambda d: _patched(d, 8 + ARGS.size, "<3i", 10**6, 10**6, 0),
                                            "cannot fit"),
    "entries for words and labels disagree": (lambda d: _patched(d, 8 + ARGS.size, "<3i", 4, 3, 0), "labels"),
    "no words": (lambda d: _patched(d, 8 + ARGS.size, "<3i", 0, 0, 0), "at least one word"),
    "negative tokens": (lambda d: _patched(d, 8 + ARGS.size + 12, "<q", -1), "tokens"),
    "a pruned dictionary": (lambda d: _patched(d, 8 + ARGS.size + 20, "<q", 0), "pruned"),
    "huge pruned n-grams": (lambda d: _patched(d, 8 + ARGS.size + 20, "<q", 2**62), "more than|ends before"),
    "negative pruned n-grams": (lambda d: _patched(d, 8 + ARGS.size + 20, "<q", -7), "pruned n-grams"),
    "a word typed as a label": (lambda d: _patched(d, HEAD + 5 + 8, "<b", 1), "entry 0 is damaged"),
    "a negative count": (lambda d: _patched(d, HEAD + 5, "<q", -3), "entry 0 is damaged"),
    "quantized": (lambda d: _patched(d, _END, "<?", True), "quantized fastText models are not supported"),
    "a flag of 2": (lambda d: _patched(d, _OUTPUT, "<B", 2), "neither 0 nor 1"),
    "huge input rows": (lambda d: _patched(d, _END + 1, "<q", 2**62), "declared"),
    "huge input columns": (lambda d: _patched(d, _END + 9, "<q", 2**40), "declared"),
    "output rows": (lambda d: _patched(d, _OUTPUT + 1, "<q", 5), "output matrix is declared"),
    "a NaN n-gram row": (lambda d: _patched(d, _INPUT + 4 * 5 * DIM, "<f", np.nan), "n-gram row 1 holds NaN"),
    "an infinite output row": (lambda d: _patched(d, _OUTPUT + 17 + 4 * DIM, "<f", np.inf), "output row 1"),
    "a byte more": (lambda d: d + b"\0", "1 bytes after"),
}
CUTS = {"in the signature": 3, "in the args": 40, "in the dictionary sizes": HEAD - 1, "in the first word": HEAD + 2,
        "in an entry's count": HEAD + 9, "before the matrix": _END, "in the matrix header": _END + 5,
        "in the input matrix": _INPUT + 10, "before the output matrix": _OUTPUT, "a byte short": -1}


def _one_error(path, **options) -> str:
    with pytest.raises(ModelFileError) as error:
        read_vectors(path, **options)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and len(message.splitlines()) == 1
    return message


@pytest.mark.parametrize("case", sorted(DAMAGED))
@pytest.mark.parametrize("mmap", [False, True])
def test_a_damaged_file_is_one_clear_error(tmp_path, written, case, mmap):
    damage, message = DAMAGED[case]
    path = tmp_path / "damaged.bin"
    path.write_bytes(damage(written.read_bytes()))
    assert re.search(message, _one_error(path, mmap=mmap))


@pytest.mark.parametrize("where", sorted(CUTS))
def test_a_truncated_file_is_one_clear_error(tmp_path, written, where):
    path = tmp_path / "truncated.bin"
    path.write_bytes(written.read_bytes()[:CUTS[where]])
    message = _one_error(path, mmap=True)
    assert any(word in message for word in ("truncated", "not a fastText model", "damaged", "ends before")), message


def test_words_that_are_not_utf8_follow_the_policy(tmp_path, written):
    path = tmp_path / "latin1.bin"
    path.write_bytes(written.read_bytes().replace("ñandú".encode(), b"\xffnandu\xff"))
    assert "not valid UTF-8" in _one_error(path)
    assert read_vectors(path, unicode_errors="replace").index_to_key[1] == "\ufffdnandu\ufffd"
    assert read_vectors(path, unicode_errors="ignore").index_to_key[1] == "nandu"


def test_a_word_twice_is_refused(tmp_path):
    path = tmp_path / "twice.bin"
    save_fasttext_bin(subword_vectors(words=["aa", "bb", "cc", "dd"]), path)
    path.write_bytes(path.read_bytes().replace(b"cc\0", b"aa\0"))
    assert "holds 'aa' twice" in _one_error(path)


def test_a_file_without_the_magic_number_is_not_read_as_fasttext(tmp_path, written):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0" + written.read_bytes()[1:])
    with pytest.raises(ModelFileError, match="not a fastText model"):
        load_fasttext_bin(path)
    assert "VOCAB_SIZE VECTOR_SIZE" in _one_error(path)  # read_vectors: then a .bin is word2vec's
    path.write_bytes(written.read_bytes()[:2])
    with pytest.raises(ModelFileError, match="not a fastText model"):
        load_fasttext_bin(path)


def test_no_header_is_for_text_files(written):
    assert "no_header" in _one_error(written, no_header=True)


# ---- the fasttext wheel and gensim ---------------------------------------------------------------

CORPUS_WORDS = "the cat sat on mat dog ran fast slow über straße naïve café 東京".split()


TRAIN_IN_A_FRESH_PROCESS = """
import json, sys, fasttext
train, corpus, out, options = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
model = getattr(fasttext, train)(corpus, **options)
model.save_model(out)
if len(sys.argv) > 5:
    model.quantize(input=corpus, retrain=False, dsub=2)
    model.save_model(sys.argv[5])
"""


def _trained(train, corpus, out, quantized=None, **options):
    """The fasttext wheel's ``train`` on ``corpus``, saved to ``out`` (and quantized to ``quantized``), and loaded back.

    The wheel reads memory it never wrote (its runs with one thread and one seed differ): in a process whose heap
    earlier tests filled it stopped with "Encountered NaN" or saved NaN rows in each of 30 tries, and in a fresh
    process it does so in about half the runs with 1,000 buckets and one in forty with 10,000. So each try runs in a
    fresh process, and a model is kept only where every value it saved is finite."""
    fasttext = pytest.importorskip("fasttext")
    arguments = [sys.executable, "-c", TRAIN_IN_A_FRESH_PROCESS, train, str(corpus), str(out), json.dumps(options)]
    for _ in range(10):
        done = subprocess.run(arguments + ([str(quantized)] if quantized else []), capture_output=True, text=True)
        if done.returncode == 0:
            model = fasttext.load_model(str(out))
            if np.isfinite(model.get_input_matrix()).all() and np.isfinite(model.get_output_matrix()).all():
                return model
        elif "NaN" not in done.stderr:
            pytest.fail(done.stderr)
    pytest.fail("the fasttext wheel saved NaN, or stopped with 'Encountered NaN', 10 times")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A skipgram model trained by the fasttext wheel (dim 5, minn 2, maxn 4, 10,000 buckets) and its .bin."""
    folder = tmp_path_factory.mktemp("fasttext")
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(CORPUS_WORDS, rng.integers(3, 12))) for _ in range(300)]
    (folder / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = _trained("train_unsupervised", folder / "corpus.txt", folder / "model.bin", model="skipgram", dim=5,
                     minn=2, maxn=4, bucket=10000, thread=1, minCount=1, epoch=2, verbose=0)
    return model, folder / "model.bin"


@pytest.mark.parametrize("mmap", [False, True])
def test_we_read_the_fasttext_wheels_model(trained, mmap):
    model, path = trained
    stored = read_vectors(path, mmap=mmap)
    nwords = len(model.words)
    words, counts = model.get_words(include_freq=True)
    assert stored.index_to_key == model.words == words and stored.counts.tolist() == counts.tolist()
    np.testing.assert_array_equal(stored.vectors, model.get_input_matrix()[:nwords])
    np.testing.assert_array_equal(stored.extra_arrays["ngram_vectors"], model.get_input_matrix()[nwords:])
    np.testing.assert_array_equal(stored.extra_arrays["output_vectors"], model.get_output_matrix())
    assert stored.extras["subwords"] == {"minn": 2, "maxn": 4, "buckets": 10000, "vectors": "own rows"}
    assert stored.extras["fasttext"]["ntokens"] == sum(len(line.split()) + 1 for line in
                                                       path.with_name("corpus.txt").read_text().splitlines())


def test_own_rows_and_ngram_rows_compose_fasttexts_word_vectors(trained):
    model, path = trained
    stored = read_vectors(path, mmap=True)
    subwords = stored.extras["subwords"]
    offsets, rows = Subwords(subwords["minn"], subwords["maxn"], subwords["buckets"]).rows(stored.index_to_key,
                                                                                            len(stored))
    matrix = np.vstack([stored.vectors, stored.extra_arrays["ngram_vectors"]])
    for i, word in enumerate(stored.index_to_key):
        composed = matrix[rows[offsets[i]:offsets[i + 1]]].mean(axis=0)
        np.testing.assert_allclose(composed, model.get_word_vector(word), atol=1e-6)


def test_fasttext_reads_what_w2v_writes(trained, tmp_path):
    fasttext = pytest.importorskip("fasttext")
    model, path = trained
    write_vectors(read_vectors(path, mmap=True), tmp_path / "ours.bin", "fasttext")
    assert (tmp_path / "ours.bin").read_bytes() == path.read_bytes()  # fastText's own bytes, written back
    ours = fasttext.load_model(str(tmp_path / "ours.bin"))
    np.testing.assert_array_equal(ours.get_input_matrix(), model.get_input_matrix())
    np.testing.assert_array_equal(ours.get_output_matrix(), model.get_output_matrix())
    for word in [*model.words, "zebra", "東京タワー"]:
        np.testing.assert_array_equal(ours.get_word_vector(word), model.get_word_vector(word))


def test_fasttext_and_gensim_read_a_model_w2v_made(tmp_path):
    fasttext = pytest.importorskip("fasttext")
    from gensim.models.fasttext import load_facebook_model, load_facebook_vectors

    stored = subword_vectors(words=["</s>", "ñandú", "東京", "cat", "dog"], dim=4, buckets=50,
                             counts=[9, 5, 3, 2, 2])
    save_fasttext_bin(stored, tmp_path / "ours.bin")
    model = fasttext.load_model(str(tmp_path / "ours.bin"))
    assert model.words == stored.index_to_key
    np.testing.assert_array_equal(model.get_input_matrix(), np.vstack([stored.vectors,
                                                                       stored.extra_arrays["ngram_vectors"]]))
    np.testing.assert_array_equal(model.get_output_matrix(), stored.extra_arrays["output_vectors"])
    kv = load_facebook_vectors(str(tmp_path / "ours.bin"))
    assert kv.index_to_key == stored.index_to_key
    assert load_facebook_model(str(tmp_path / "ours.bin")).wv.vectors_ngrams.shape == (50, 4)
    # gensim composes "</s>" from n-grams too; fastText gives it its own row only.
    for word in [*stored.index_to_key[1:], "zebra"]:
        np.testing.assert_allclose(kv[word], model.get_word_vector(word), atol=1e-6)


def test_gensim_reads_what_w2v_writes_as_fasttext_does(trained, tmp_path):
    pytest.importorskip("fasttext")
    from gensim.models.fasttext import load_facebook_vectors

    model, path = trained
    write_vectors(read_vectors(path), tmp_path / "ours.bin", "fasttext")
    kv = load_facebook_vectors(str(tmp_path / "ours.bin"))
    assert kv.index_to_key == model.words
    for word in [w for w in model.words if w != "</s>"] + ["zebra", "東京タワー"]:  # "</s>": see above
        np.testing.assert_allclose(kv[word], model.get_word_vector(word), atol=1e-6)


def test_the_fasttext_wheels_vec_file_loads(trained, tmp_path):
    model, _ = trained
    lines = [f"{len(model.words)} 5"] + [word + " " + "".join(f"{value:.5g} " for value in model.get_word_vector(word))
                                         for word in model.words]  # saveVectors' layout, setprecision(5)
    (tmp_path / "model.vec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    wv = w2v.load(tmp_path / "model.vec")
    assert wv.index_to_key == model.words
    np.testing.assert_allclose(wv.vectors, [model.get_word_vector(w) for w in model.words], rtol=1e-4, atol=1e-6)


def test_a_supervised_models_labels_are_left_out_and_a_quantized_model_refused(tmp_path):
    rng = np.random.default_rng(1)
    lines = [f"__label__{'ab'[i % 2]} " + " ".join(rng.choice(["the", "cat", "sat", "on", "mat", "dog"], 6))
             for i in range(200)]
    (tmp_path / "labelled.txt").write_text("\n".join(lines) + "\n")
    model = _trained("train_supervised", tmp_path / "labelled.txt", tmp_path / "labelled.bin",
                     quantized=tmp_path / "labelled.ftz", dim=5, minn=2, maxn=4, bucket=10000, thread=1, epoch=2,
                     verbose=0)
    stored = read_vectors(tmp_path / "labelled.bin", mmap=True)
    assert stored.index_to_key == model.words and sorted(stored.extras["fasttext"]["labels"]) == sorted(model.labels)
    assert stored.extras["fasttext"]["nlabels"] == 2 and stored.extras["fasttext"]["model"] == 3
    assert sorted(stored.extra_arrays) == ["ngram_vectors"]  # its output rows are the labels'
    np.testing.assert_array_equal(stored.vectors, model.get_input_matrix()[:len(model.words)])
    with pytest.raises(ConfigError, match="unsupervised"):
        save_fasttext_bin(stored, tmp_path / "again.bin")
    assert "quantized fastText models are not supported" in _one_error(tmp_path / "labelled.ftz")
