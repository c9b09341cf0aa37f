import numpy as np
import pytest

from w2v.errors import CorpusError
from w2v.reference.engine import contexts_target
from w2v.text.corpus import corpus_from_sentences, read_corpus, sentence_offsets
from w2v.text.vocab import Vocab


def write(tmp_path, content, name="c.txt"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def sentences_of(corpus):
    words = corpus.vocab.words
    return [[words[i] for i in corpus.ids[a:b]] for a, b in zip(corpus.offsets[:-1], corpus.offsets[1:])]


def test_ids_by_descending_frequency_ties_by_first_appearance(tmp_path):
    corpus = read_corpus(write(tmp_path, "b a c\na a d\nc\n"), min_count=1)
    assert corpus.vocab.words == ["a", "c", "b", "d"]  # b and d tie at 1: b appeared first
    np.testing.assert_array_equal(corpus.vocab.counts, [3, 2, 1, 1])
    assert corpus.ids.dtype == np.int32


def test_counts_min_count_and_sentences(tmp_path):
    corpus = read_corpus(write(tmp_path, "x y y z\n\n  y x  \r\nq\n"), min_count=2)
    assert corpus.vocab.words == ["y", "x"]
    np.testing.assert_array_equal(corpus.vocab.counts, [3, 2])
    assert sentences_of(corpus) == [["x", "y", "y"], ["y", "x"]]  # blank line and all-dropped line vanish


def test_max_vocab_size_keeps_the_most_frequent(tmp_path):
    corpus = read_corpus(write(tmp_path, "a b b c c c\n"), min_count=1, max_vocab_size=2)
    assert corpus.vocab.words == ["c", "b"]
    assert len(corpus) == 5


def test_last_line_without_newline_bom_and_unicode(tmp_path):
    corpus = read_corpus(write(tmp_path, "\ufeffcafé naïve\n東京 café"), min_count=1)
    assert corpus.vocab.words[0] == "café"
    assert sentences_of(corpus) == [["café", "naïve"], ["東京", "café"]]


def test_reading_in_chunks_gives_the_same_result(tmp_path, monkeypatch):
    import w2v.text.sources

    text = "".join(f"w{i % 7} w{i % 3} w{i % 11}\n" for i in range(500))
    whole = read_corpus(write(tmp_path, text), min_count=1)
    monkeypatch.setattr(w2v.text.sources, "CHUNK_BYTES", 17)
    chunked = read_corpus(write(tmp_path, text), min_count=1)
    np.testing.assert_array_equal(whole.ids, chunked.ids)
    np.testing.assert_array_equal(whole.offsets, chunked.offsets)


def test_the_id_buffer_grows_when_the_text_holds_more_tokens_than_its_size_suggests(tmp_path):
    from w2v.text.corpus import build_corpus

    lines = [f"{i % 13} {i % 5}\n".encode() for i in range(100_000)]  # 300,000 ids (line breaks too)
    expected = read_corpus(write(tmp_path, b"".join(lines)), min_count=1)
    chunks = [("text", np.frombuffer(b"".join(lines[i : i + 1000]), dtype=np.uint8)) for i in range(0, 100_000, 1000)]
    grown, _ = build_corpus(chunks, "text", min_count=1, size_hint=0)  # starts at 65,536 ids, doubles
    np.testing.assert_array_equal(grown.ids, expected.ids)
    np.testing.assert_array_equal(grown.offsets, expected.offsets)
    assert grown.vocab.words == expected.vocab.words


def test_a_vocabulary_that_keeps_few_words_does_not_keep_the_whole_buffer(tmp_path):
    corpus = read_corpus(write(tmp_path, "common " * 10 + " ".join(f"rare{i}" for i in range(1000)) + "\n"),
                         min_count=2)
    assert corpus.vocab.words == ["common"]
    np.testing.assert_array_equal(corpus.ids, np.zeros(10, dtype=np.int32))
    assert corpus.ids.base is None or corpus.ids.base.size < 1000  # copied out of the 1,011-id buffer


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "holds no words"),
        (b" \n\n \t\n", "holds no words"),
        (b"good line\nbad \xff byte\n", r"not valid UTF-8 \(line 2"),
        (b"some\x00binary", "NUL byte"),
        (b"a b c\n", "no word occurs at least 5 times"),
    ],
)
def test_bad_corpora_give_clear_errors(tmp_path, content, message):
    with pytest.raises(CorpusError, match=message):
        read_corpus(write(tmp_path, content), min_count=5)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        read_corpus(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="the folder holds no readable files"):
        read_corpus(tmp_path)


def test_sentence_offsets_split_long_sentences_without_losing_tokens():
    offsets = sentence_offsets(np.array([3, 0, 25, 10]), max_sentence_length=10)
    np.testing.assert_array_equal(offsets, [0, 3, 13, 23, 28, 38])
    np.testing.assert_array_equal(sentence_offsets(np.array([3, 0, 4])), [0, 3, 7])


def book_contexts_target(corpus, window_size):
    """The book's common/util.py create_contexts_target, written out."""
    target = corpus[window_size:-window_size]
    contexts = []
    for idx in range(window_size, len(corpus) - window_size):
        cs = []
        for t in range(-window_size, window_size + 1):
            if t == 0:
                continue
            cs.append(corpus[idx + t])
        contexts.append(cs)
    return np.array(contexts), np.array(target)


def test_contexts_target_equals_the_book_on_one_sequence():
    ids = np.random.default_rng(0).integers(0, 50, 200).astype(np.int32)
    vocab = Vocab([str(i) for i in range(50)], np.ones(50))
    from w2v.text.corpus import Corpus

    contexts, target = contexts_target(Corpus(ids, np.array([0, 200]), vocab), 3)
    book_c, book_t = book_contexts_target(ids, 3)
    np.testing.assert_array_equal(contexts, book_c)
    np.testing.assert_array_equal(target, book_t)
    assert contexts.dtype == target.dtype == np.int32


def test_contexts_never_cross_sentence_boundaries():
    corpus = corpus_from_sentences([["a", "b", "c"], ["d", "e", "f", "g"], ["h"]])
    contexts, target = contexts_target(corpus, 1)
    words = corpus.vocab.words
    pairs = {(words[t], tuple(words[c] for c in ctx)) for ctx, t in zip(contexts, target)}
    assert pairs == {("b", ("a", "c")), ("e", ("d", "f")), ("f", ("e", "g"))}
