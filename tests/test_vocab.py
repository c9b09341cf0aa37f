"""Vocabulary files ('word count' lines): read and written as word2vec.c and gensim do, and fixing a
run's vocabulary (read_vocab / save_vocab, --read-vocab / --save-vocab, w2v export --vocab)."""

import gzip

import numpy as np
import pytest

import w2v
from w2v.cli import main
from w2v.errors import ConfigError, CorpusError
from w2v.text.corpus import read_corpus
from w2v.text.prepared import open_corpus, prepare
from w2v.text.vocab import fixed_vocab, read_vocab_file, vocab_file_bytes, write_vocab_file
from w2v.train import resume, train

from conftest import planted_sentences

FAST = dict(epochs=1, seed=1, workers=1, vector_size=8, min_count=1)


def write(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.fixture
def text(tmp_path):
    return write(tmp_path / "planted.txt", "\n".join(" ".join(s) for s in planted_sentences(400)) + "\n")


def test_the_file_is_word2vec_c_s_save_vocab_format(tmp_path):
    assert vocab_file_bytes(["the", "東京"], [10, 3]) == "the 10\n東京 3\n".encode()
    path = write(tmp_path / "vocab.txt", "</s> 3\nthe 10\r\n\nof 7\n")  # word2vec.c starts with its </s>
    vocab = read_vocab_file(path)
    assert vocab.words == ["</s>", "the", "of"] and vocab.counts.tolist() == [3, 10, 7]
    fixed = fixed_vocab(path, min_count=4)
    assert fixed.words == ["the", "of"] and fixed.counts.tolist() == [10, 7]
    assert fixed_vocab(path, max_vocab_size=1).words == ["the"]


@pytest.mark.parametrize("content, message", [
    ("the 10\nof\n", "vocab.txt:2: expected 'word count'"),
    ("the ten\n", "vocab.txt:1: expected 'word count'"),
    ("the 1 2\n", "vocab.txt:1: expected 'word count'"),
    (b"caf\xe9 1\n", "vocab.txt:1: the word is not valid UTF-8"),
    ("a 1\na 2\n", "duplicate words"),
    ("\n\n", "holds no 'word count' lines"),
])
def test_bad_vocabulary_files_name_the_file_and_line(tmp_path, content, message):
    with pytest.raises(CorpusError, match=message):
        fixed_vocab(write(tmp_path / "vocab.txt", content))


def test_a_fixed_vocabulary_keeps_its_ids_and_counts_and_drops_other_words(tmp_path):
    vocab = fixed_vocab(write(tmp_path / "vocab.txt", "b 50\na 40\nz 1\n"))
    corpus = read_corpus(write(tmp_path / "c.txt", "a b c\nc c\nb b d a\n"), vocab=vocab)
    assert corpus.vocab.words == ["b", "a", "z"] and corpus.vocab.counts.tolist() == [50, 40, 1]
    assert corpus.ids.tolist() == [1, 0, 0, 0, 1] and corpus.offsets.tolist() == [0, 2, 5]  # 'c c' is empty
    with pytest.raises(CorpusError, match="holds none of the 3 words of the vocabulary"):
        read_corpus(write(tmp_path / "other.txt", "x y\n"), vocab=vocab)


def test_save_vocab_then_read_vocab_fixes_the_vocabulary_across_runs(tmp_path, text):
    saved = tmp_path / "vocab.txt"
    first = train(text, save_vocab=saved, **FAST)
    assert saved.read_bytes() == vocab_file_bytes(first.index_to_key, first.counts)
    other = write(tmp_path / "other.txt", "a1 a2 new words\n" * 30)  # a0 and the b words never occur
    second = train(other, read_vocab=saved, **FAST)
    assert second.index_to_key == first.index_to_key
    np.testing.assert_array_equal(second.counts, first.counts)  # the file's counts, not this corpus's
    assert second.record.config.read_vocab == str(saved) and second.record.corpus.words == 60


SEVEN = "a1 500\nb2 400\na3 300\nb4 200\na5 100\nb6 90\na7 80\n"


def test_read_vocab_works_the_same_through_the_prepared_cache_and_prepare(tmp_path, text):
    vocab = write(tmp_path / "vocab.txt", SEVEN)
    packed = tmp_path / "planted.txt.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()))
    plain = read_corpus(text, vocab=fixed_vocab(vocab))
    cached = train(packed, read_vocab=vocab, **FAST)
    assert cached.index_to_key == plain.vocab.words and cached.record.corpus.words == len(plain)
    report = prepare(text, tmp_path / "prepared", read_vocab=vocab)
    assert "tokens of words outside the fixed vocabulary" in report.describe()
    prepared = open_corpus(tmp_path / "prepared")
    np.testing.assert_array_equal(prepared.ids, plain.ids)
    np.testing.assert_array_equal(prepared.offsets, plain.offsets)
    assert train(tmp_path / "prepared", **FAST).record.config.read_vocab == str(vocab)


def test_read_vocab_survives_a_checkpoint_and_resume(tmp_path, text):
    vocab = write(tmp_path / "vocab.txt", SEVEN)
    options = FAST | dict(epochs=2, loss_every=1)
    straight = train(text, read_vocab=vocab, **options)
    checkpoint = tmp_path / "run.ckpt.npz"
    train(text, read_vocab=vocab, checkpoint=checkpoint, checkpoint_every=0.0, **options)
    np.testing.assert_array_equal(resume(checkpoint).vectors, straight.vectors)


@pytest.mark.parametrize("corpus", ["ptb", "corpus", "prepared"])
def test_read_vocab_is_refused_where_the_vocabulary_is_already_fixed(tmp_path, text, corpus):
    vocab = write(tmp_path / "vocab.txt", "a1 5\n")
    prepare(text, tmp_path / "prepared", min_count=1)
    source = {"ptb": "ptb", "corpus": read_corpus(text, min_count=1), "prepared": tmp_path / "prepared"}[corpus]
    with pytest.raises(ConfigError, match="read_vocab"):
        train(source, read_vocab=vocab, **(FAST | {"min_count": 1}))


def test_gensim_reads_our_vocabulary_and_we_read_gensims(tmp_path, text):
    gensim = pytest.importorskip("gensim.models")
    theirs = gensim.Word2Vec(planted_sentences(400), vector_size=8, min_count=1, workers=1, epochs=1, seed=1)
    theirs.wv.save_word2vec_format(str(tmp_path / "g.txt"), fvocab=str(tmp_path / "g-vocab.txt"))
    read = read_vocab_file(tmp_path / "g-vocab.txt")
    assert read.words == theirs.wv.index_to_key
    assert read.counts.tolist() == [theirs.wv.get_vecattr(w, "count") for w in read.words]
    ours = train(text, save_vocab=tmp_path / "vocab.txt", **FAST)
    ours.save(tmp_path / "ours.txt")
    loaded = gensim.KeyedVectors.load_word2vec_format(str(tmp_path / "ours.txt"), fvocab=str(tmp_path / "vocab.txt"))
    assert [loaded.get_vecattr(w, "count") for w in ours.index_to_key] == ours.counts.tolist()


def test_the_command_line_saves_reads_and_exports_vocabularies(tmp_path, text, capsys):
    model, vocab = tmp_path / "m.npz", tmp_path / "vocab.txt"
    argv = ["--epochs", "1", "--min-count", "1", "--vector-size", "8", "--seed", "1", "--quiet"]
    assert main(["train", str(text), "-o", str(model), "--save-vocab", str(vocab), *argv]) == 0
    assert str(vocab) in capsys.readouterr().out
    assert main(["export", str(model), "--vocab", str(tmp_path / "exported.txt")]) == 0
    assert (tmp_path / "exported.txt").read_bytes() == vocab.read_bytes()
    assert main(["train", str(text), "-o", str(tmp_path / "m2.npz"), "--read-vocab", str(vocab), *argv]) == 0
    assert w2v.load(tmp_path / "m2.npz").index_to_key == w2v.load(model).index_to_key
    write_vocab_file(tmp_path / "small.txt", ["a1", "b1"], [9, 8])
    assert main(["prepare", str(text), "-o", str(tmp_path / "p"), "--read-vocab", str(tmp_path / "small.txt")]) == 0
    assert open_corpus(tmp_path / "p").vocab.words == ["a1", "b1"]


@pytest.mark.parametrize("argv, message", [
    (["train", "{text}", "-o", "{tmp}/m.npz", "--read-vocab", "{tmp}/bad.txt"], "bad.txt:1: expected 'word count'"),
    (["train", "{text}", "-o", "{tmp}/m.npz", "--read-vocab", "{tmp}/none.txt"], "none.txt: cannot read"),
    (["train", "{text}", "-o", "{tmp}/m.npz", "--save-vocab", "{text}"], "is an input of this run"),
    (["train", "{text}", "-o", "{tmp}/m.npz", "--save-vocab", "{tmp}/m.npz"], "is also another output"),
    (["train", "{text}", "-o", "{tmp}/m.npz", "--read-vocab", "{tmp}/rare.txt"], "lower --min-count"),
    (["export", "{tmp}/v.txt", "--vocab", "{tmp}/vocab.txt"], "hold no word counts"),
    (["export", "{tmp}/v.txt"], "name the file to write (OUT), or --vocab"),
])
def test_vocabulary_errors_end_with_one_clear_line(tmp_path, text, capsys, argv, message):
    write(tmp_path / "bad.txt", "the\n")
    write(tmp_path / "rare.txt", "a1 1\n")
    write(tmp_path / "v.txt", "1 2\na 1 2\n")
    code = main([a.format(text=text, tmp=tmp_path) for a in argv] + (["--quiet"] if argv[0] == "train" else []))
    err = capsys.readouterr().err
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err


def test_a_vocabulary_file_cannot_hold_a_word_with_white_space(tmp_path):
    with pytest.raises(CorpusError, match="white space"):
        write_vocab_file(tmp_path / "v.txt", ["a", "b c"], [2, 1])
    assert not (tmp_path / "v.txt").exists()
