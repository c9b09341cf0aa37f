"""Text trained through a temporary prepared folder, and mapped pages handed back once read."""

import os
import subprocess
import sys

import numpy as np
import pytest

import w2v
from test_prepared import same_corpus, zipf_text
from w2v.config import TrainConfig
from w2v.io.files import staging_name
from w2v.io.mapped import is_mapped, map_file, release
from w2v.text.corpus import read_corpus
from w2v.text.prepared import mapped_text
from w2v.text.vocab import Vocab
from w2v.train import load_training_corpus

linux = pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="reads /proc/self/smaps")


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(zipf_text())
    return path


def _resident_kib(path):
    """KiB of ``path``'s mapping resident in this process (/proc/self/smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
                inside = fields[-1] == str(path)
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@linux
def test_release_drops_the_pages_read_and_the_values_stay_readable(tmp_path):
    path = tmp_path / "ids.int32"
    values = np.arange(1 << 20, dtype="<i4")
    values.tofile(path)
    mapped = map_file(path, np.dtype("<i4"), values.size)
    assert is_mapped(mapped) and not mapped.flags.writeable
    assert int(mapped.sum(dtype=np.int64)) == int(values.sum(dtype=np.int64))
    assert _resident_kib(path) >= 4000  # every page read
    release(mapped, 0, values.size // 2)
    assert 1500 < _resident_kib(path) < 2500  # the second half only
    release(mapped, 0, values.size)
    assert _resident_kib(path) < 100
    np.testing.assert_array_equal(mapped, values)  # read again from the page cache


def test_release_leaves_arrays_in_memory_and_slices_alone():
    array = np.arange(10_000, dtype=np.int32)
    release(array, 0, array.size)
    release(array[10:], 0, 100)
    np.testing.assert_array_equal(array, np.arange(10_000))
    assert not is_mapped(array)


def test_mapped_text_is_the_corpus_read_into_memory_and_leaves_nothing_behind(tmp_path, text):
    under = tmp_path / "corpora"
    corpus = mapped_text(text, min_count=2, max_vocab_size=None, under=under)
    assert is_mapped(corpus.ids) and is_mapped(corpus.offsets)
    in_memory = read_corpus(text, min_count=2)
    same_corpus(corpus, in_memory)
    assert corpus.name == in_memory.name and corpus.fingerprint() == in_memory.fingerprint()  # checkpoints resume
    assert list(under.iterdir()) == []


def test_long_lines_stay_whole_as_in_memory(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(["a", "b", "c"] * 4000) + "\nb c\n")
    corpus = mapped_text(path, min_count=1, max_vocab_size=None, under=tmp_path / "corpora")
    np.testing.assert_array_equal(corpus.offsets, [0, 12_000, 12_002])
    assert corpus.fingerprint() == read_corpus(path, min_count=1).fingerprint()


def test_a_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path, text):
    under = tmp_path / "corpora"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = under / staging_name("text", "corpus").replace(f"-{os.getpid()}-", f"-{dead.stdout.strip()}-")
    left.mkdir(parents=True)
    (left / "raw.int32").write_bytes(b"\0" * 64)
    running = under / staging_name("text", "corpus")  # this process's: still in use
    running.mkdir()
    mapped_text(text, min_count=1, max_vocab_size=None, under=under)
    assert sorted(under.iterdir()) == [running]


def test_training_on_a_text_file_maps_it_and_learns_what_the_corpus_in_memory_gives(text):
    cfg = TrainConfig(vector_size=12, epochs=2, workers=1, seed=4, min_count=2).resolve(
        corpus_is_ptb=False, cores=1, gpu_usable=False)
    assert is_mapped(load_training_corpus(text, cfg).ids)
    options = dict(vector_size=12, epochs=2, workers=1, seed=4, min_count=2)
    from_file = w2v.train(text, **options)
    from_memory = w2v.train(read_corpus(text, min_count=2), **options)
    np.testing.assert_array_equal(from_file.vectors, from_memory.vectors)


def test_without_a_writable_cache_text_is_read_into_memory(tmp_path, text, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("W2V_CACHE_DIR", str(blocked))
    cfg = TrainConfig(vector_size=12, epochs=1, workers=1, seed=4, min_count=2).resolve(
        corpus_is_ptb=False, cores=1, gpu_usable=False)
    corpus = load_training_corpus(text, cfg)
    assert not is_mapped(corpus.ids)
    same_corpus(corpus, read_corpus(text, min_count=2))


def test_the_vocabulary_builds_its_index_when_first_used():
    vocab = Vocab(["the", "cat", "sat"], [3, 2, 1])
    assert "word_to_id" not in vars(vocab)
    assert vocab.word_to_id == {"the": 0, "cat": 1, "sat": 2} and "cat" in vocab and "dog" not in vocab
    with pytest.raises(ValueError, match="duplicate"):
        Vocab(["the", "cat", "the"], [3, 2, 1])


def test_every_corpus_uses_the_one_compiled_kernel(tmp_path, text):
    from w2v.fast._cpu_kernels import train_cbow_chunks

    options = dict(vector_size=12, epochs=1, workers=1, seed=4, min_count=2)
    w2v.train(text, **options)  # mapped: read-only ids
    compiled = len(train_cbow_chunks.signatures)
    w2v.train(read_corpus(text, min_count=2), **options)  # in memory: writeable ids
    assert len(train_cbow_chunks.signatures) == compiled
