"""Corpora of any size: compressed and multi-file input, prepared (memory-mapped) corpora, exact counts
in bounded memory, the training cache, and the memory check."""

import bz2
import collections
import gzip
import json
import lzma
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import w2v
import w2v.text.sources
from w2v.errors import CorpusError
from w2v.io.mapped import is_mapped
from w2v.memory import MemoryLimitError
from w2v.text.corpus import read_corpus
from w2v.text.prepared import open_corpus, prepare

from conftest import planted_sentences, takes_ctrl_c


def zipf_text(n_lines=400, seed=0, vocabulary=3000):
    """Lines of words with Zipf-like counts: a few frequent words, many rare ones."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, vocabulary + 1)
    weights /= weights.sum()
    lines = [" ".join(f"w{i}" for i in rng.choice(vocabulary, size=rng.integers(1, 30), p=weights))
             for _ in range(n_lines)]
    return "\n".join(lines) + "\n"


def same_corpus(a, b):
    assert a.vocab.words == b.vocab.words
    np.testing.assert_array_equal(a.vocab.counts, b.vocab.counts)
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.offsets, b.offsets)


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(zipf_text())
    return path


@pytest.mark.parametrize("compress, name", [(gzip.compress, "c.txt.gz"), (bz2.compress, "c.txt.bz2"),
                                            (lzma.compress, "c.txt.xz"), (gzip.compress, "misnamed.txt")])
def test_compressed_inputs_give_the_corpus_of_the_plain_text(tmp_path, text, compress, name):
    packed = tmp_path / name
    packed.write_bytes(compress(text.read_bytes()))
    same_corpus(read_corpus(text, min_count=2), read_corpus(packed, min_count=2))


def test_a_folder_is_the_concatenation_of_its_files_in_name_order(tmp_path, text):
    lines = text.read_text().splitlines(keepends=True)
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "b.txt").write_text("".join(lines[100:250]).rstrip("\n"))  # no final line break: still ends a line
    (folder / "a.txt.gz").write_bytes(gzip.compress("".join(lines[:100]).encode()))
    (folder / "c.txt").write_text("".join(lines[250:]))
    (folder / ".hidden").write_text("ignored words here\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "d.txt").write_text("not read: folders do not recurse\n")
    same_corpus(read_corpus(text, min_count=1), read_corpus(folder, min_count=1))
    same_corpus(read_corpus(text, min_count=1),
                read_corpus([folder / "a.txt.gz", folder / "b.txt", folder / "c.txt"], min_count=1))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\u00e9\u6771 \t\n\u3000")), max_size=200),
       st.integers(min_value=1, max_value=12))
def test_chunks_never_cut_a_token_or_a_character(sample, chunk_bytes):
    if not sample.split():
        return
    whole = w2v.text.corpus.build_corpus([("s", np.frombuffer(sample.encode(), dtype=np.uint8))], "s")[0]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "s.txt")
        with open(path, "wb") as handle:
            handle.write(sample.encode())
        original, w2v.text.sources.CHUNK_BYTES = w2v.text.sources.CHUNK_BYTES, chunk_bytes
        try:
            same_corpus(whole, read_corpus(path, min_count=1))
        finally:
            w2v.text.sources.CHUNK_BYTES = original


def test_a_line_of_many_megabytes_is_read_like_text8(tmp_path):
    path = tmp_path / "one-line.txt"
    words = [f"w{i % 5000}" for i in range(600_000)]  # about 3.5 MB, no line break at all
    path.write_text(" ".join(words))
    corpus = read_corpus(path, min_count=1)
    assert len(corpus) == 600_000 and corpus.offsets.tolist() == [0, 600_000]


@pytest.mark.parametrize("max_vocab_size", [None, 700])
def test_counts_under_a_tiny_memory_cap_are_exact(tmp_path, max_vocab_size):
    text = tmp_path / "rare.txt"
    text.write_text(zipf_text(n_lines=3000, vocabulary=20_000))
    counter = collections.Counter(text.read_text().split())
    capped = prepare(text, tmp_path / "capped", min_count=2, max_vocab_size=max_vocab_size, count_memory=1 << 18)
    assert capped.spilled
    unbounded = prepare(text, tmp_path / "free", min_count=2, max_vocab_size=max_vocab_size)
    assert not unbounded.spilled
    a, b = open_corpus(tmp_path / "capped"), open_corpus(tmp_path / "free")
    same_corpus(a, b)
    same_corpus(a, read_corpus(text, min_count=2, max_vocab_size=max_vocab_size))
    kept = [(w, c) for w, c in counter.items() if c >= 2]
    assert dict(zip(a.vocab.words, a.vocab.counts.tolist())).items() <= dict(kept).items()
    if max_vocab_size is None:
        assert len(a.vocab) == len(kept)
    assert capped.pruned == unbounded.pruned
    assert capped.pruned.rare_types == sum(1 for c in counter.values() if c < 2)


def test_a_prepared_corpus_is_memory_mapped_and_trains_like_the_text(tmp_path, text):
    prepare(text, tmp_path / "prepared", min_count=1)
    corpus = w2v.open_corpus(tmp_path / "prepared")
    assert is_mapped(corpus.ids) and is_mapped(corpus.offsets)
    manifest = json.loads((tmp_path / "prepared" / "manifest.json").read_text())
    assert manifest["tokens"] == len(corpus) and manifest["sources"][0]["raw_bytes"] == text.stat().st_size
    options = dict(vector_size=12, epochs=2, workers=1, seed=4, min_count=1)
    from_text = w2v.train(text, **options)
    from_folder = w2v.train(tmp_path / "prepared", **options)
    np.testing.assert_array_equal(from_text.vectors, from_folder.vectors)
    reference = w2v.train(tmp_path / "prepared", algorithm="reference", epochs=1, vector_size=8, seed=1, min_count=1)
    assert np.isfinite(reference.vectors).all()


def test_standard_input_can_be_prepared_and_trained_on(tmp_path, text):
    run = subprocess.run([sys.executable, "-m", "w2v", "prepare", "-", "-o", str(tmp_path / "p"), "--min-count",
                          "1"], input=text.read_bytes(), capture_output=True)
    assert run.returncode == 0, run.stderr
    same_corpus(open_corpus(tmp_path / "p"), read_corpus(text, min_count=1))
    piped = subprocess.run([sys.executable, "-m", "w2v", "train", "/dev/stdin", "-o", str(tmp_path / "m.npz"),
                            "--min-count", "1", "--epochs", "1", "--quiet"], input=text.read_bytes(),
                           capture_output=True)
    assert piped.returncode == 0, piped.stderr
    assert w2v.load(tmp_path / "m.npz").record.corpus.words == len(read_corpus(text, min_count=1))


@pytest.mark.parametrize("name, content, message", [
    ("bad.txt.gz", lambda t: gzip.compress(t)[:-40], r"bad\.txt\.gz: the gzip data is damaged near byte"),
    ("bad.txt", lambda t: b"\x1f\x8b" + os.urandom(300), r"bad\.txt: the gzip data is damaged"),
    ("bad.txt", lambda t: t + b"\xff caf\xe9\n", r"bad\.txt: not valid UTF-8 \(line 401, byte 0xff\)"),
    ("bad.txt.gz", lambda t: t, r"bad\.txt\.gz: named like a gzip file, but its bytes are not gzip data"),
    ("bad.txt", lambda t: "\ufeffutf-16 text".encode("utf-16"), r"bad\.txt: is UTF-16 text"),
])
def test_damaged_inputs_end_with_one_clear_line_naming_the_file(tmp_path, text, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content(text.read_bytes()))
    with pytest.raises(CorpusError, match=message):
        read_corpus(bad, min_count=1)
    run = subprocess.run([sys.executable, "-m", "w2v", "prepare", str(bad), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_folder_with_one_non_utf8_file_names_that_file(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.txt").write_text("fine words\n")
    (folder / "b.txt").write_bytes(b"caf\xe9 latin1\n")
    with pytest.raises(CorpusError, match=r"b\.txt: not valid UTF-8 \(line 1, byte 0xe9\)"):
        read_corpus(folder, min_count=1)


def test_empty_folders_missing_inputs_and_newer_corpus_folders_are_refused(tmp_path, text):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="holds no readable files"):
        read_corpus(tmp_path / "empty")
    with pytest.raises(CorpusError, match="no such file or folder"):
        read_corpus(tmp_path / "missing.txt")
    prepare(text, tmp_path / "p", min_count=1)
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    (tmp_path / "p" / "manifest.json").write_text(json.dumps(manifest | {"version": 99}))
    with pytest.raises(CorpusError, match="prepared by a newer w2v"):
        open_corpus(tmp_path / "p")
    (tmp_path / "p" / "manifest.json").write_text(json.dumps(manifest))
    with open(tmp_path / "p" / "tokens.int32", "r+b") as handle:  # a damaged id must not reach the kernels
        handle.write(np.array([10**6], dtype="<i4").tobytes())
    with pytest.raises(CorpusError, match="outside the 1,388 words of the vocabulary"):
        open_corpus(tmp_path / "p")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(CorpusError, match="not a prepared corpus"):
        prepare(text, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_interrupting_prepare_leaves_nothing_train_would_accept(tmp_path, text):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    run = subprocess.Popen([sys.executable, "-m", "w2v", "prepare", str(fifo), "-o", str(tmp_path / "out")],
                           stderr=subprocess.PIPE, text=True, preexec_fn=takes_ctrl_c)
    with open(fifo, "wb") as writer:
        writer.write(text.read_bytes())  # some text, then the writer stalls with the pipe open
        writer.flush()
        deadline = time.time() + 30
        while not any(p.name.startswith(".out") for p in tmp_path.iterdir()) and time.time() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=30)
    assert run.returncode == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    with pytest.raises(CorpusError):
        open_corpus(tmp_path / "out")


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX threads' signals")
def test_a_signal_the_kernel_hands_to_the_reader_thread_still_stops_the_read(tmp_path, text):
    # The kernel may deliver Ctrl-C to any thread; Python runs the handler in the main thread, which
    # must not sleep forever waiting on a reader blocked in a silent pipe (CI hung here once).
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    release = threading.Event()
    gave_up = []

    def stall_then_close():
        with open(fifo, "wb") as writer:
            writer.write(text.read_bytes())
            writer.flush()
            if not release.wait(20):  # a main thread that never woke: end the pipe so the test ends
                gave_up.append(True)

    def signal_the_reader():
        reader = next(t for t in threading.enumerate() if t.name == "w2v-reader")
        signal.pthread_kill(reader.ident, signal.SIGUSR1)

    feeder = threading.Thread(target=stall_then_close)
    feeder.start()
    previous = signal.signal(signal.SIGUSR1, _raise_stop)
    timer = threading.Timer(0.5, signal_the_reader)
    try:
        timer.start()
        with pytest.raises(_Stop):
            for _ in w2v.text.sources.read_text(w2v.text.sources.expand_inputs([fifo])):
                pass
    finally:
        signal.signal(signal.SIGUSR1, previous)
        timer.join()
        release.set()
        feeder.join()
    assert not gave_up, "the signal was only handled once the pipe ended"


def test_training_on_a_compressed_file_prepares_it_once_into_the_cache(tmp_path, text, monkeypatch):
    packed = tmp_path / "c.txt.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()))
    monkeypatch.setenv("W2V_CACHE_DIR", str(tmp_path / "cache"))
    options = dict(vector_size=8, epochs=1, workers=1, seed=2, min_count=1)
    first = w2v.train(packed, **options)
    entries = list((tmp_path / "cache" / "corpora").iterdir())
    assert len(entries) == 1 and (entries[0] / "manifest.json").is_file()
    stamp = (entries[0] / "manifest.json").stat().st_mtime_ns
    again = w2v.train(packed, **options)
    assert (entries[0] / "manifest.json").stat().st_mtime_ns == stamp  # reused, not prepared again
    np.testing.assert_array_equal(first.vectors, again.vectors)
    np.testing.assert_array_equal(first.vectors, w2v.train(text, **options).vectors)


def test_checkpoints_resume_on_a_prepared_corpus(tmp_path):
    text = tmp_path / "planted.txt"
    text.write_text("\n".join(" ".join(s) for s in planted_sentences(3000)) + "\n")
    prepare(text, tmp_path / "p", min_count=1)
    options = dict(epochs=3, seed=1, workers=1, vector_size=16, loss_every=2)
    straight = w2v.train(tmp_path / "p", **options)
    w2v.train(tmp_path / "p", checkpoint=tmp_path / "run.ckpt.npz", checkpoint_every=0.0, **options)
    np.testing.assert_array_equal(w2v.resume(tmp_path / "run.ckpt.npz").vectors, straight.vectors)


def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_figure(tmp_path, text, monkeypatch):
    training = sys.modules["w2v.train"]

    monkeypatch.setattr(training, "available_memory", lambda: 50 << 20)
    with pytest.raises(MemoryLimitError, match=r"needs about .* but 50.0 MiB is available"):
        w2v.train(text, vector_size=8, epochs=1, min_count=1)
    run = subprocess.run([sys.executable, "-m", "w2v", "train", str(text), "-o", str(tmp_path / "m.npz"),
                          "--min-count", "1", "--epochs", "1", "--vector-size", "8"], capture_output=True, text=True)
    assert run.returncode == 0 and "memory: about" in run.stderr


def test_the_file_formats_keep_their_names_across_the_package_layout():
    """The names inside prepared folders, checkpoints and models are formats, not module paths: folders
    prepared, and runs checkpointed, by earlier versions must still open."""
    from w2v.io import npz
    from w2v.text import prepared
    from w2v.training import checkpoint

    assert (prepared.FORMAT, checkpoint.FORMAT, npz.FORMAT) == ("w2v.corpus", "w2v.checkpoint", "w2v.vectors")


def test_a_prepared_corpus_has_the_fingerprint_of_the_same_corpus_read_into_memory(tmp_path):
    """One fingerprint: of the vocabulary, counts, ids and offsets training reads, however they are held."""
    from w2v.text.corpus import Corpus, read_corpus

    text = tmp_path / "t.txt"
    text.write_text("the cat sat\nthe dog sat down\nthe cat ran\n" * 20)
    prepare(text, tmp_path / "p", min_count=1)
    prepared = open_corpus(tmp_path / "p")
    in_memory = read_corpus(text, min_count=1)
    assert prepared.fingerprint() == in_memory.fingerprint()
    recomputed = Corpus(np.array(prepared.ids), np.array(prepared.offsets), prepared.vocab).fingerprint()
    assert prepared.fingerprint() == recomputed
