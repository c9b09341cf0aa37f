"""Hostile input, shared installs and interrupted saves: every case ends with one clear line and no
traceback, nothing of the user's is lost, nothing is left behind."""

import dataclasses
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import w2v
from w2v.config import TrainConfig
from w2v.errors import ConfigError, CorpusError, ModelFileError, W2VError, ZeroVectorWarning
from w2v.text.corpus import corpus_from_sentences
from w2v.text.vocab import Vocab
from w2v.training.checkpoint import load_checkpoint, save_checkpoint

from conftest import planted_sentences, takes_ctrl_c

TINY = ["--min-count", "1", "--epochs", "1", "--vector-size", "8", "--quiet"]
ENV = dict(os.environ, PYTHONUNBUFFERED="1")


def w2v_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "w2v", *map(str, args)], capture_output=True, text=True,
                          env=kwargs.pop("env", ENV), **kwargs)


def one_clear_line(run, code=1):
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "planted.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_sentences(3000)) + "\n")
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory, corpus_file):
    path = tmp_path_factory.mktemp("model") / "m.npz"
    w2v.train(corpus_file, vector_size=8, epochs=1, min_count=1, seed=1).save(path)
    return path


# ---------------------------------------------------------------------- 1. memory corruption


def test_a_corpus_being_appended_to_is_read_without_crashing(tmp_path):
    path = tmp_path / "growing.txt"
    path.write_text("a b c d e\n" * 20_000)
    stop = threading.Event()

    def append():  # about 1 MB a second, at most 30 MB in all
        with open(path, "a") as handle:
            for _ in range(1_000):
                if stop.is_set():
                    return
                handle.write("f g h i j k\n" * 2_500)
                handle.flush()
                time.sleep(0.03)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        for _ in range(3):
            run = w2v_cli("train", path, "-o", tmp_path / "m.npz", *TINY)
            assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr  # never a signal
    finally:
        stop.set()
        writer.join()


def test_pipes_and_fifos_are_read_once(tmp_path, corpus_file):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=lambda: fifo.write_bytes(corpus_file.read_bytes()))
    feeder.start()
    run = w2v_cli("train", fifo, "-o", tmp_path / "m.npz", *TINY)
    feeder.join()
    assert run.returncode == 0, run.stderr
    assert w2v.load(tmp_path / "m.npz").record.corpus.words == 36_000


# ---------------------------------------------------------------------- 2. output paths


@pytest.mark.parametrize("make_args, message", [
    (lambda t, c, m: ["train", c, "-o", "/dev/null"], "not a regular file"),
    (lambda t, c, m: ["train", c, "-o", c], "is an input of this run"),
    (lambda t, c, m: ["train", c, "-o", t / "m.npz", "--checkpoint", t / "m.npz"], "another output of this run"),
    (lambda t, c, m: ["train", c, "-o", t / "out.npz", "--checkpoint", c], "is an input of this run"),
    (lambda t, c, m: ["plot", m, "a0", "-o", m], "is an input of this run"),
    (lambda t, c, m: ["evaluate", m, "--report", m], "is an input of this run"),
    (lambda t, c, m: ["export", m, m], "is an input of this run"),
    (lambda t, c, m: ["train", c, "-o", t], "is a folder"),
])
def test_outputs_that_would_destroy_something_are_refused(tmp_path, corpus_file, model, make_args, message):
    before = {p: p.read_bytes() for p in (corpus_file, model)}
    null_mode = os.stat("/dev/null").st_mode
    args = make_args(tmp_path, corpus_file, model)
    err = one_clear_line(w2v_cli(*args, *(TINY[:2] if args[0] == "train" else [])))
    assert message in err
    assert {p: p.read_bytes() for p in before} == before
    assert os.stat("/dev/null").st_mode == null_mode and not Path("/dev/null-loss.png").exists()


def test_replacing_a_file_keeps_its_mode_and_a_symlink_stays_a_link(tmp_path, model):
    wv = w2v.load(model)
    private = tmp_path / "private.npz"
    private.write_bytes(b"old")
    private.chmod(0o600)
    wv.save(private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and w2v.load(private).vector_size == 8
    real = tmp_path / "real.npz"
    real.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    wv.save(link)
    assert link.is_symlink() and w2v.load(real).vector_size == 8


@pytest.mark.parametrize("command", ["prepare", "phrases"])
def test_a_full_disk_during_prepare_or_phrases_says_so_and_keeps_the_old_output(tmp_path, corpus_file, monkeypatch,
                                                                                 capsys, command):
    import w2v.text.phrases
    import w2v.text.prepared
    from w2v.cli import main

    def full(*_, **__):
        raise OSError(28, "No space left on device")

    output = tmp_path / ("out" if command == "prepare" else "out.txt")
    assert main([command, str(corpus_file), "-o", str(output), "--min-count", "1"]) == 0
    before = sorted(path.stat().st_mtime_ns for path in tmp_path.rglob("*"))
    module = w2v.text.prepared if command == "prepare" else w2v.text.phrases
    monkeypatch.setattr(module, "encode_text", full)
    capsys.readouterr()
    assert main([command, str(corpus_file), "-o", str(output), "--min-count", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{output}: could not be written in {tmp_path} (No space left on device); it is unchanged" in err
    assert sorted(path.stat().st_mtime_ns for path in tmp_path.rglob("*")) == before


def test_a_folder_of_odd_entries_is_read_for_its_files_and_says_what_it_skipped(tmp_path, corpus_file):
    folder = tmp_path / "in"
    (folder / "subfolder").mkdir(parents=True)
    shutil.copy(corpus_file, folder / "a.txt")
    (folder / ".hidden").write_text("not read\n")
    os.symlink("loop2", folder / "loop1")
    os.symlink("loop1", folder / "loop2")
    os.symlink("nowhere", folder / "dangling")
    os.mkfifo(folder / "fifo")
    run = w2v_cli("prepare", folder, "-o", tmp_path / "out", "--min-count", "1", timeout=60)
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert run.stderr.strip() == ("w2v prepare: warning: " + str(folder) + ": skipped 5 entries that are not a "
                                  "readable file (dangling, fifo, loop1, loop2, subfolder)")
    assert len(w2v.open_corpus(tmp_path / "out")) == len(w2v.open_corpus(w2v.prepare(corpus_file, tmp_path / "one",
                                                                                      min_count=1).path))
    err = one_clear_line(w2v_cli("prepare", folder, "-o", folder / "out"))
    assert "is inside the input folder" in err and not (folder / "out").exists()


def test_temporaries_left_by_a_killed_save_are_removed_by_the_next_save(tmp_path, model):
    wv = w2v.load(model)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.npz.w2v-{dead.stdout.strip()}-abcd1234.tmp"
    stale.write_bytes(b"x" * 1000)
    mine = tmp_path / f".out.npz.w2v-{os.getpid()}-live.tmp"  # a save still under way in a live process
    mine.write_bytes(b"y")
    wv.save(tmp_path / "out.npz")
    assert not stale.exists() and mine.exists()


def test_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path, model, monkeypatch):
    import w2v.io.files as files

    target = tmp_path / "out.npz"
    target.write_bytes(b"previous")

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(W2VError, match=r"out\.npz: could not be written \(No space left on device\)"):
        w2v.load(model).save(target)
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["out.npz"]


# ---------------------------------------------------------------------- 3. shared installs


def _unprivileged(tmp_path):
    """A command prefix for a user who cannot write the installed package or HOME, or None.

    The package is copied read-only and owned by nobody; the process runs as root without the
    capabilities that let root write anywhere (so /root's interpreter stays reachable).
    """
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    site = tmp_path / "site"
    shutil.copytree(Path(w2v.__file__).parent, site / "w2v", ignore=shutil.ignore_patterns("__pycache__"))
    for root, dirs, files in os.walk(site):
        for name in dirs + files:
            os.chown(os.path.join(root, name), 65534, 65534)
            os.chmod(os.path.join(root, name), 0o555 if name in dirs else 0o444)
    os.chown(site, 65534, 65534)
    os.chmod(site, 0o555)
    home = tmp_path / "home"
    home.mkdir(mode=0o555)
    os.chown(home, 65534, 65534)
    prefix = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown", "--"]
    probe = subprocess.run(prefix + [sys.executable, "-c", f"open('{home}/x', 'w')"], capture_output=True)
    if probe.returncode == 0:
        return None  # the capabilities could not be dropped here
    env = dict(ENV, HOME=str(home), PYTHONPATH=str(site), TMPDIR=str(tmp_path / "tmp"), XDG_CACHE_HOME=str(home))
    env.pop("NUMBA_CACHE_DIR", None)
    (tmp_path / "tmp").mkdir()
    return prefix, env


def test_a_user_who_cannot_write_the_install_or_home_gets_a_note_not_a_crash(tmp_path, corpus_file):
    setup = _unprivileged(tmp_path)
    if setup is None:
        pytest.skip("needs root with setpriv to drop the capabilities that bypass file permissions")
    prefix, env = setup
    command = prefix + [sys.executable, "-m", "w2v"]
    helped = subprocess.run(command + ["--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "Traceback" not in helped.stderr
    out = tmp_path / "tmp" / "m.npz"
    trained = subprocess.run(command + ["train", str(corpus_file), "-o", str(out), *TINY], capture_output=True,
                             text=True, env=env, cwd=tmp_path / "tmp")
    assert trained.returncode == 0, trained.stderr
    assert "Traceback" not in trained.stderr and "caching them in" in trained.stderr
    assert len([line for line in trained.stderr.splitlines() if "note" in line]) == 1


# ---------------------------------------------------------------------- 4. signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_sent_twice_like_timeout_does_still_leaves_the_promised_checkpoint(tmp_path, corpus_file, signum):
    checkpoint = tmp_path / "run.ckpt.npz"
    run = subprocess.Popen([sys.executable, "-m", "w2v", "train", str(corpus_file), "-o", str(tmp_path / "m.npz"),
                            "--checkpoint", str(checkpoint), "--checkpoint-every", "0.2s", "--epochs", "400",
                            "--loss-every", "1", "--workers", "1", "--seed", "2", "--min-count", "1", "--quiet"],
                           stderr=subprocess.PIPE, text=True, env=ENV, preexec_fn=takes_ctrl_c)
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    run.send_signal(signum)
    run.send_signal(signum)  # timeout(1) and many schedulers repeat the signal at once
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert f"stopped by {signal.Signals(signum).name}" in err and "Traceback" not in err
    assert load_checkpoint(checkpoint).position.epoch < 400
    resumed = w2v_cli("train", "--resume", checkpoint, "-o", tmp_path / "m.npz", "--quiet", timeout=600)
    assert resumed.returncode == 0 or "stopped" in resumed.stderr


def _signalled_while_reading(tmp_path, command, signals):
    """Run ``w2v COMMAND`` on a FIFO, signal it while it waits for more text; (exit status, stderr)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    run = subprocess.Popen([sys.executable, "-m", "w2v", *[str(part).format(fifo=fifo) for part in command]],
                           stderr=subprocess.PIPE, text=True, env=ENV, preexec_fn=takes_ctrl_c)
    with open(fifo, "wb") as writer:  # opens once the command reads, its signal handlers in place
        writer.write(b"a b c d\n" * 2000)
        writer.flush()
        for signum in signals:
            run.send_signal(signum)
        _, err = run.communicate(timeout=60)
    fifo.unlink()
    return run.returncode, err


@pytest.mark.parametrize("signum, said", [(signal.SIGTERM, "stopped by SIGTERM"), (signal.SIGINT, "interrupted")])
def test_a_signal_while_reading_the_corpus_ends_with_one_line(tmp_path, signum, said):
    code, err = _signalled_while_reading(tmp_path, ["train", "{fifo}", "-o", tmp_path / "m.npz"], [signum])
    assert code == 128 + signum and said in err and len(err.strip().splitlines()) == 1, err
    assert "second signal" not in err and not (tmp_path / "m.npz").exists()


def _contents(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("signals", [[signal.SIGINT], [signal.SIGTERM, signal.SIGTERM], [signal.SIGHUP],
                                     [signal.SIGINT, signal.SIGINT]], ids=["int", "timeout", "hup", "int-twice"])
@pytest.mark.parametrize("command", ["prepare", "phrases"])
def test_a_signal_during_prepare_or_phrases_leaves_the_previous_output_byte_for_byte(tmp_path, corpus_file,
                                                                                     signals, command):
    output = tmp_path / ("out" if command == "prepare" else "out.txt")
    assert w2v_cli(command, corpus_file, "-o", output, "--min-count", "1").returncode == 0
    before = _contents(output) if command == "prepare" else output.read_bytes()
    code, err = _signalled_while_reading(tmp_path, [command, "{fifo}", "-o", output], signals)
    assert code == 128 + signals[0] and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert (_contents(output) if command == "prepare" else output.read_bytes()) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [output.name]  # no temporaries left


def test_a_killed_prepare_leaves_the_old_folder_and_nothing_train_accepts(tmp_path, corpus_file):
    output = tmp_path / "out"
    w2v.prepare(corpus_file, output, min_count=1)
    before = _contents(output)
    code, _ = _signalled_while_reading(tmp_path, ["prepare", "{fifo}", "-o", output], [signal.SIGKILL])
    assert code == -signal.SIGKILL and _contents(output) == before
    (staging,) = [path for path in tmp_path.iterdir() if path.name.startswith(".out.")]
    assert "not a prepared corpus" in one_clear_line(w2v_cli("train", staging, "-o", tmp_path / "m.npz", *TINY))
    w2v.prepare(corpus_file, output, min_count=2)  # the next prepare clears what the killed one left
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_prepare_killed_between_its_two_renames_gets_the_old_folder_back(tmp_path, corpus_file):
    from w2v.io.files import remove_stale_temporaries

    output = tmp_path / "out"
    w2v.prepare(corpus_file, output, min_count=1)
    before = _contents(output)
    ended = subprocess.Popen(["true"])
    ended.wait()
    os.replace(output, tmp_path / f".out.w2v-{ended.pid}-0badf00d.old")  # what replace_folder moved aside
    remove_stale_temporaries(output)
    assert _contents(output) == before and len(w2v.open_corpus(output)) > 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------------- 5. damaged files


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _meta(document):
    return np.frombuffer(json.dumps(document).encode(), dtype=np.uint8)


@pytest.mark.parametrize("damage", [
    lambda p, a: (np.save(p.with_suffix(".npy"), a["vectors"]), os.replace(p.with_suffix(".npy"), p)),  # .npy
    lambda p, a: _npz(p, **(a | {"word_ends": a["word_ends"].astype(np.float64)})),
    lambda p, a: _npz(p, **(a | {"meta_json": _meta({"format": "w2v.vectors", "version": 10**30})})),
    lambda p, a: _npz(p, **(a | {"meta_json": _meta({"format": "w2v.vectors", "version": 1, "info": {"x": 1}})})),
    lambda p, a: _npz(p, **(a | {"vectors": np.zeros((a["vectors"].shape[0], 0), np.float32)})),
    lambda p, a: _npz(p, **(a | {"counts": np.zeros(2, np.float32)})),
])
def test_damaged_model_files_give_one_clear_line(tmp_path, model, damage):
    with np.load(model) as archive:
        arrays = dict(archive)
    bad = tmp_path / "bad.npz"
    damage(bad, arrays)
    with pytest.raises(ModelFileError, match="bad.npz"):
        w2v.load(bad)
    for command in (["similar", bad, "a0"], ["plot", bad, "a0", "-o", tmp_path / "p.png"]):
        one_clear_line(w2v_cli(*command))


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path):
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("vectors.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False,
                                                         "shape": (100_000, 1000)})
            zeros = bytes(1 << 22)
            for _ in range(100):  # 400 MB of zeros (past the 256 MiB any file may hold), 0.4 MB compressed
                member.write(zeros)
    assert bomb.stat().st_size < 10 << 20
    started = time.perf_counter()
    err = one_clear_line(w2v_cli("similar", bomb, "a"))
    assert "zip bomb" in err and time.perf_counter() - started < 20


CHECKPOINT_DAMAGE = {
    "W_in wrong shape": lambda s: s | {"W_in": s["W_in"][:-1]},
    "W_in wrong dtype": lambda s: s | {"W_in": s["W_in"].astype(np.float64)},
    "W_out missing": lambda s: {k: v for k, v in s.items() if k != "W_out"},
    "rng states wrong size": lambda s: s | {"rng_states": np.zeros(3, np.uint64)},
    "rng states wrong dtype": lambda s: s | {"rng_states": s["rng_states"].astype(np.int64)},
    "epoch a string": lambda s: s | {"epoch": "two"},
    "epoch beyond the run": lambda s: s | {"epoch": 10**9},
    "W_in a number": lambda s: s | {"W_in": 3},
    "W_out a list": lambda s: s | {"W_out": [1, 2]},
    "empty state": lambda s: {},
}


@pytest.mark.parametrize("name", sorted(CHECKPOINT_DAMAGE))
def test_damaged_checkpoints_are_refused_on_resume(tmp_path, corpus_file, name):
    checkpoint = tmp_path / "run.ckpt.npz"
    w2v.train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, epochs=3, workers=1, seed=1, vector_size=8,
              min_count=1, loss_every=1)
    saved = load_checkpoint(checkpoint)
    saved.state = CHECKPOINT_DAMAGE[name](saved.state)
    save_checkpoint(checkpoint, saved)
    with pytest.raises(ModelFileError, match="run.ckpt.npz"):
        w2v.resume(checkpoint)
    one_clear_line(w2v_cli("train", "--resume", checkpoint, "-o", tmp_path / "m.npz", "--quiet"))


def test_damaged_checkpoint_metadata_is_refused(tmp_path, corpus_file):
    checkpoint = tmp_path / "run.ckpt.npz"
    w2v.train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, epochs=2, workers=1, seed=1, vector_size=8,
              min_count=1)
    with np.load(checkpoint) as archive:
        arrays = dict(archive)
    document = json.loads(arrays["meta_json"].tobytes())
    for meta in ({**document["meta"], "position": {"epoch": -1, "unit": 0}},
                 {**document["meta"], "log": {**document["meta"]["log"], "loss_curve": "x"}},
                 {**document["meta"], "config": {**document["meta"]["config"], "vector_size": -4}}):
        arrays["meta_json"] = _meta({**document, "meta": meta})
        np.savez(checkpoint, **arrays)
        with pytest.raises(ModelFileError):
            w2v.resume(checkpoint)


# ---------------------------------------------------------------------- 5. absurd options


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["vector-size", "window", "negative", "workers", "epochs", "batch-size", "loss-every"]),
       st.one_of(st.integers(min_value=-(2**64), max_value=0), st.integers(min_value=10**10, max_value=10**31)))
def test_absurd_numeric_options_are_refused_at_once(tmp_path, corpus_file, flag, value):
    with pytest.raises(ConfigError, match=flag.replace("-", "_")):
        TrainConfig(**{flag.replace("-", "_"): value}).validate()


@pytest.mark.parametrize("flags", [["--workers", "10000000"], ["--vector-size", str(2**62)], ["--window", "1e30"],
                                   ["--alpha", "1e300"], ["--min-alpha", "0.5", "--alpha", "0.1"]])
def test_absurd_options_on_the_command_line(tmp_path, corpus_file, flags):
    started = time.perf_counter()
    run = w2v_cli("train", corpus_file, "-o", tmp_path / "m.npz", *flags, timeout=120)
    assert run.returncode in (1, 2) and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert time.perf_counter() - started < 60


# ---------------------------------------------------------------------- 5. names and terminals


def test_a_corpus_name_that_is_not_utf8_and_an_ascii_terminal(tmp_path):
    name = os.fsdecode(b"caf\xe9.txt")
    path = tmp_path / name
    path.write_text("".join(f"naïve café 東京 \x1b[31mred w{i % 40} x{i % 13}\n" for i in range(600)))
    env = dict(ENV, PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    run = w2v_cli("train", path, "-o", tmp_path / "m.npz", *TINY, env=env)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    similar = w2v_cli("similar", tmp_path / "m.npz", "café", env=env)
    assert similar.returncode == 0 and "Traceback" not in similar.stderr and "\x1b" not in similar.stdout
    missing = w2v_cli("train", tmp_path / os.fsdecode(b"gone\xff.txt"), "-o", tmp_path / "x.npz", env=env)
    one_clear_line(missing)


# ---------------------------------------------------------------------- 6. unbounded inputs


def test_dev_zero_as_a_corpus_or_a_benchmark_file_is_refused_quickly(tmp_path, model):
    started = time.perf_counter()
    one_clear_line(w2v_cli("train", "/dev/zero", "-o", tmp_path / "m.npz", timeout=60))
    one_clear_line(w2v_cli("evaluate", model, "--analogies", "/dev/zero", timeout=60))
    assert time.perf_counter() - started < 60


# ---------------------------------------------------------------------- 6b. damaged prepared corpora


def _offsets(folder, change):
    offsets = np.fromfile(folder / "offsets.int64", dtype="<i8")
    change(offsets)
    offsets.tofile(folder / "offsets.int64")


def _manifest(folder, change):
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _vocab_lines(folder, change):
    lines = [line.split() for line in (folder / "vocab.txt").read_text().splitlines()]
    change(lines)
    (folder / "vocab.txt").write_text("".join(f"{word} {count}\n" for word, count in lines))


def _swap(array, i, j):
    array[i], array[j] = array[j], array[i]


def _set(container, key, value):
    container[key] = value


PREPARED_DAMAGE = {  # what a damaged prepared folder holds -> what the one line says
    "tokens truncated": (lambda d: os.truncate(d / "tokens.int32", 100), "truncated or damaged"),
    "offsets truncated": (lambda d: os.truncate(d / "offsets.int64", 16), "truncated or damaged"),
    "an id beyond the vocabulary": (lambda d: _tokens(d, lambda t: _set(t, 10, 10**6)), "outside the"),
    "a negative id": (lambda d: _tokens(d, lambda t: _set(t, 10, -3)), "outside the"),
    "a huge offset": (lambda d: _offsets(d, lambda o: _set(o, o.size // 2, 2**40)), "ends beyond the"),
    "a negative offset": (lambda d: _offsets(d, lambda o: _set(o, o.size // 2, -5)), "is empty"),
    "unsorted offsets": (lambda d: _offsets(d, lambda o: _swap(o, 3, 4)), "sentence 2 is"),
    "a sentence longer than the manifest's longest": (lambda d: _offsets(d, lambda o: _set(o, 1, o[5])),
                                                      "sentence 0 is longer than"),
    "a manifest's longest too small": (lambda d: _manifest(d, lambda m: _set(m, "longest_sentence", 2)),
                                       "longer than the 2 tokens"),
    "a manifest's longest too large": (lambda d: _manifest(d, lambda m: _set(m, "longest_sentence", 5000)),
                                       "but the manifest says 5,000"),
    "a negative longest": (lambda d: _manifest(d, lambda m: _set(m, "longest_sentence", -1)), "outside 1.."),
    "a negative split length": (lambda d: _manifest(d, lambda m: _set(m["options"], "max_sentence_length", -1)),
                                "split at -1"),
    "vocab.txt permuted against the ids": (lambda d: _vocab_lines(d, _swap_words), "fingerprint"),
    "a count changed": (lambda d: _vocab_lines(d, lambda v: _set(v[0], 1, str(int(v[0][1]) + 1))), "the ids hold it"),
    "all counts zero": (lambda d: _vocab_lines(d, lambda v: [_set(line, 1, "0") for line in v]), "count of at least 1"),
    "a count beyond 64 bits": (lambda d: _vocab_lines(d, lambda v: _set(v[0], 1, str(2**70))), "does not fit 64 bits"),
    "a 5,000-digit version": (lambda d: (d / "manifest.json").write_text(
        (d / "manifest.json").read_text().replace('"version": 2', '"version": 2' + "0" * 5000)), "5,001 digits"),
    "no manifest (a killed prepare)": (lambda d: (d / "manifest.json").unlink(), "not a prepared corpus"),
}


def _tokens(folder, change):
    tokens = np.fromfile(folder / "tokens.int32", dtype="<i4")
    change(tokens)
    tokens.tofile(folder / "tokens.int32")


def _swap_words(lines):
    lines[0][0], lines[1][0] = lines[1][0], lines[0][0]  # the counts stay in order: only the ids disagree


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, corpus_file):
    folder = tmp_path_factory.mktemp("prepared") / "good"
    w2v.prepare(corpus_file, folder, min_count=1)
    return folder


@pytest.mark.parametrize("damage", sorted(PREPARED_DAMAGE))
def test_a_damaged_prepared_corpus_is_refused_before_any_kernel_runs(tmp_path, prepared, damage):
    folder = tmp_path / "damaged"
    shutil.copytree(prepared, folder)
    change, message = PREPARED_DAMAGE[damage]
    change(folder)
    assert message in one_clear_line(w2v_cli("train", folder, "-o", tmp_path / "m.npz", *TINY))
    with pytest.raises(W2VError, match=message):
        w2v.train(w2v.open_corpus(folder) if (folder / "manifest.json").exists() else folder, vector_size=8, epochs=1)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("damage, message", [
    (lambda c: c.offsets.__setitem__(2, 10**9), "sentence 1 ends beyond the 10 tokens"),
    (lambda c: c.offsets.__setitem__(2, c.offsets[1]), "is empty"),
    (lambda c: c.ids.__setitem__(0, 99), "outside the"),
    (lambda c: setattr(c, "longest_sentence", 1), "longer than the 1 tokens"),
    (lambda c: setattr(c, "ids", c.ids.astype(np.float64)), "1-D integer array"),
    (lambda c: setattr(c, "vocab", Vocab(c.vocab.words, np.zeros(len(c.vocab), int))), "at least 1"),
])
def test_a_corpus_built_by_hand_is_checked_like_a_prepared_one(damage, message):
    corpus = corpus_from_sentences([["a", "b", "c"], ["b", "c", "d"], ["c", "d", "e", "a"]])
    damage(corpus)
    with pytest.raises(CorpusError, match=message):
        w2v.train(corpus, vector_size=8, epochs=1)


# ---------------------------------------------------------------------- 7. leftovers and messages


def test_a_failing_periodic_checkpoint_warns_and_the_run_finishes(tmp_path, corpus_file, monkeypatch):
    training = sys.modules["w2v.train"]

    def broken(*_):
        raise W2VError("the disk is full")

    monkeypatch.setattr(training, "save_checkpoint", broken)
    with pytest.warns(UserWarning, match="could not save the checkpoint, training goes on: the disk is full"):
        wv = w2v.train(corpus_file, checkpoint=tmp_path / "c.npz", checkpoint_every=0.0, epochs=2, vector_size=8,
                       min_count=1, loss_every=1)
    assert np.isfinite(wv.vectors).all()


def test_a_loss_curve_path_that_cannot_be_written_is_refused_before_training(tmp_path, corpus_file):
    (tmp_path / "m-loss.png").mkdir()
    err = one_clear_line(w2v_cli("train", corpus_file, "-o", tmp_path / "m.npz", *TINY))
    assert "m-loss.png: is a folder" in err and not (tmp_path / "m.npz").exists()


def test_a_loss_curve_that_fails_to_draw_is_a_warning_once_the_model_is_saved(tmp_path, corpus_file, monkeypatch,
                                                                              capsys):
    import w2v.vectors.plot
    from w2v.cli import main

    def broken(*_, **__):
        raise ValueError("no fonts")

    monkeypatch.setattr(w2v.vectors.plot, "save_loss_curve", broken)
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "m.npz"), *TINY]) == 0
    assert "warning: the loss curve was not drawn (no fonts); the model is saved" in capsys.readouterr().err
    assert w2v.load(tmp_path / "m.npz").vector_size == 8


@pytest.mark.parametrize("args, message", [
    (["train", "ptb", "-o", "{tmp}/m.npz", "--min-count", "3"], "ptb comes with the book's 10,000-word vocabulary"),
    (["train", "--resume", "{tmp}/run.ckpt.npz", "-o", "{tmp}/m.npz", "--epochs", "9"], "drop --epochs"),
    (["train", "--resume", "{tmp}/run.ckpt.npz", "-o", "{tmp}/m.npz", "--model", "skipgram"], "drop --model"),
    (["train", "{corpus}", "-o", "{tmp}/m.npz", "--min-alpha", "0.9"], "--min-alpha 0.9 is above --alpha 0.05"),
])
def test_flags_that_would_be_ignored_are_refused(tmp_path, corpus_file, args, message):
    w2v.train(corpus_file, checkpoint=tmp_path / "run.ckpt.npz", checkpoint_every=0.0, epochs=2, vector_size=8,
              min_count=1)
    run = w2v_cli(*[a.format(tmp=tmp_path, corpus=corpus_file) for a in args])
    assert message in one_clear_line(run)


def test_divergence_advice_fits_the_algorithm(corpus_file):
    with pytest.raises(W2VError, match="lower alpha"), np.errstate(all="ignore"):
        w2v.train(corpus_file, alpha=1e3, epochs=1, vector_size=8, min_count=1)


@pytest.mark.parametrize("command", [["train", "-", "-o", "{out}/m.npz"], ["prepare", "-", "-o", "{out}/p"],
                                     ["phrases", "-", "-o", "{out}/p.txt"], ["similar", "{model}", "-"],
                                     ["analogy", "{model}", "-"], ["embed", "{model}", "-", "-o", "{out}/e.npy"]])
def test_closed_standard_input_is_one_line_for_every_command_that_reads_it(tmp_path, command):
    model = tmp_path / "model.npz"
    w2v.WordVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]).save(model)
    args = [part.format(out=tmp_path, model=model) for part in command]
    err = one_clear_line(w2v_cli(*args, preexec_fn=lambda: os.close(0)))  # as a shell's <&- leaves it
    assert "standard input is closed" in err


# ---------------------------------------------------------------------- 8. round 2: runs, models and queries


@pytest.fixture(scope="module")
def hs_checkpoint(tmp_path_factory, corpus_file):
    """A hierarchical-softmax run's checkpoint after the first of three epochs."""
    path = tmp_path_factory.mktemp("hs") / "run.ckpt.npz"
    w2v.train(corpus_file, checkpoint=path, checkpoint_every=0.0, epochs=3, workers=1, seed=1, vector_size=8,
              min_count=1, hs=True, negative=0, loss_every=1, on_epoch_end=lambda *_: True)
    return path


@pytest.mark.parametrize("flags, message", [(["--no-hs"], "drop --no-hs"), (["--negative", "5"], "drop --negative"),
                                            (["--hs", "--negative", "0"], "drop --negative, --hs")])
def test_resume_refuses_flags_given_at_their_default_values_too(tmp_path, hs_checkpoint, flags, message):
    run = w2v_cli("train", "--resume", hs_checkpoint, "-o", tmp_path / "m.npz", *flags)
    assert message in one_clear_line(run)


@pytest.mark.parametrize("algorithm", ["fast", "reference"])
@pytest.mark.parametrize("change", [dict(vector_size=8), dict(hs=True, negative=0)], ids=["vector_size", "hs"])
def test_a_checkpoint_whose_config_disagrees_with_its_matrices_is_refused(tmp_path, corpus_file, algorithm, change):
    checkpoint = tmp_path / "run.ckpt.npz"
    w2v.train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, epochs=2, workers=1, seed=1, vector_size=16,
              min_count=1, algorithm=algorithm)
    saved = load_checkpoint(checkpoint)
    saved.config = dataclasses.replace(saved.config, **change)
    save_checkpoint(checkpoint, saved)
    with pytest.raises(ModelFileError, match="run.ckpt.npz"):
        w2v.resume(checkpoint)


def test_a_checkpoint_whose_rows_were_padded_to_16_floats_still_resumes(tmp_path, corpus_file):
    checkpoint = tmp_path / "run.ckpt.npz"
    w2v.train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, epochs=2, workers=1, seed=1, vector_size=8,
              min_count=1, hs=True)
    saved = load_checkpoint(checkpoint)
    for key in ("W_in", "W_out", "W_node"):
        saved.state[key] = np.pad(saved.state[key], ((0, 0), (0, 16 - saved.state[key].shape[1])))
    save_checkpoint(checkpoint, saved)
    assert w2v.resume(checkpoint).vector_size == 8


def test_resume_saves_its_checkpoints_where_checkpoint_says(tmp_path, hs_checkpoint):
    before = hs_checkpoint.read_bytes()
    run = w2v_cli("train", "--resume", hs_checkpoint, "-o", tmp_path / "m.npz", "--checkpoint", tmp_path / "next.npz",
                  "--checkpoint-every", "0s", "--quiet")
    assert run.returncode == 0, run.stderr
    assert load_checkpoint(tmp_path / "next.npz").config == load_checkpoint(hs_checkpoint).config
    assert hs_checkpoint.read_bytes() == before
    err = one_clear_line(w2v_cli("train", "--resume", hs_checkpoint, "-o", tmp_path / "m.npz", "--checkpoint",
                                 tmp_path / "m.npz"))
    assert "another output of this run" in err


def _resolved(cfg):
    return cfg.resolve(corpus_is_ptb=False, cores=2, gpu_usable=False)


@pytest.mark.parametrize("options", [dict(alpha=0.1), dict(min_alpha=1e-5), dict(sample=1e-2), dict(kernel="plain"),
                                     dict(workers=4), dict(hot_rows=10, combine="mean"), dict(sync_chunks=2)])
def test_the_reference_algorithm_refuses_options_only_the_fast_one_reads(options):
    with pytest.raises(ConfigError, match=rf"{next(iter(options))}=.* for algorithm='fast'; algorithm='reference'"):
        _resolved(TrainConfig(algorithm="reference", **options))


def test_the_reference_algorithm_takes_the_fast_options_defaults_and_what_it_does_anyway(tmp_path, corpus_file):
    cfg = _resolved(TrainConfig(algorithm="reference", sample=0, workers=1, kernel="batched"))
    assert cfg.alpha is None and cfg.min_alpha is None and cfg.workers == 1
    assert _resolved(cfg) == cfg  # a run's recorded config trains again
    err = one_clear_line(w2v_cli("train", corpus_file, "-o", tmp_path / "m.npz", "--algorithm", "reference",
                                 "--alpha", "0.1"))
    assert "--alpha 0.1 is for --algorithm fast; --algorithm reference does not use it" in err


@pytest.mark.parametrize("threshold, scoring, bound", [("inf", "default", "a finite number above 0"),
                                                        ("nan", "default", "a finite number above 0"),
                                                        ("1", "npmi", "a number in [-1, 1) for npmi scoring")])
def test_phrase_thresholds_no_bigram_can_score_above_are_refused(tmp_path, corpus_file, threshold, scoring, bound):
    run = w2v_cli("phrases", corpus_file, "-o", tmp_path / "p.txt", "--threshold", threshold, "--scoring", scoring)
    assert f"--threshold must be {bound}" in one_clear_line(run) and not (tmp_path / "p.txt").exists()


@pytest.mark.parametrize("change", [dict(a="x"), dict(a_="0.001"), dict(n_components="1"), dict(a_=None),
                                    dict(n_components=3)])
def test_a_saved_encoder_whose_parameters_are_not_numbers_is_refused(tmp_path, model, change):
    encoder = w2v.SentenceEncoder(w2v.load(model), "sif")
    encoder.fit(["a0 a1 a2", "b0 b1", "a3 b2 a4"])
    encoder.save(tmp_path / "enc.npz")
    with np.load(tmp_path / "enc.npz") as archive:
        arrays = dict(archive)
    document = json.loads(arrays["meta_json"].tobytes())
    document["sentence_encoder"] |= change
    bad = _npz(tmp_path / "bad.npz", **(arrays | {"meta_json": _meta(document)}))
    with pytest.raises(ModelFileError, match="bad.npz: its sentence encoder is malformed"):
        w2v.SentenceEncoder.load(bad)
    (tmp_path / "s.txt").write_text("a0 a1\n")
    err = one_clear_line(w2v_cli("embed", bad, tmp_path / "s.txt", "-o", tmp_path / "e.npy"))
    assert "bad.npz" in err and not (tmp_path / "e.npy").exists()


def test_queries_whose_vector_is_zero_warn_that_their_answers_are_in_no_order(tmp_path):
    zero = tmp_path / "z.npz"
    w2v.WordVectors(np.zeros((3, 4), np.float32), ["a", "b", "c"]).save(zero)
    for run in (w2v_cli("similar", zero, "a", "b"), w2v_cli("similar", zero, "-", input="a\nb\n")):
        assert run.returncode == 0 and run.stderr == (
            "w2v similar: warning: every vector is zero (an untrained or damaged model?), so every cosine is 0 and "
            "the answers are in no order\n")
    vectors = np.eye(3, 4, dtype=np.float32)
    vectors[1] = 0
    wv = w2v.WordVectors(vectors, ["a", "b", "c"])
    with pytest.warns(ZeroVectorWarning, match="the query vector of 'b' is zero"):
        wv.most_similar("b")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wv.most_similar("a")


def test_dev_zero_as_a_model_or_as_lines_to_read_is_refused_quickly(tmp_path, model):
    link = tmp_path / "zero.npz"
    link.symlink_to("/dev/zero")
    for mmap in (False, True):
        with pytest.raises(ModelFileError, match="zero.npz: is not a regular file"):
            w2v.load(link, mmap=mmap)
    started = time.perf_counter()
    err = one_clear_line(w2v_cli("embed", model, "/dev/zero", "-o", tmp_path / "e.npy", timeout=60))
    assert "/dev/zero:1: a line longer than 1,048,576 bytes" in err
    with open("/dev/zero", "rb") as zero:
        err = one_clear_line(w2v_cli("similar", model, "-", stdin=zero, timeout=60))
    assert "standard input:1: a line longer than" in err and time.perf_counter() - started < 60


def test_binary_input_to_queries_is_one_line_after_the_queries_before_it_are_answered(tmp_path, model):
    def similar(data):
        (tmp_path / "queries").write_bytes(data)
        with open(tmp_path / "queries", "rb") as queries:
            run = w2v_cli("similar", model, "-", "--json", stdin=queries)
        return run, [json.loads(line)["query"] for line in run.stdout.splitlines()]

    run, answered = similar(b"a0\n" + bytes(range(256)) * 8 + b"\na1\n")  # NUL bytes and newlines among them
    assert answered == ["a0"] and one_clear_line(run) == (
        "w2v similar: error: standard input:2: holds a NUL byte; is it a binary file?\n")
    run, answered = similar(b"a0\ncaf\xe9\na1\n")  # a line that is not UTF-8 is one line, and reading goes on
    assert answered == ["a0", "a1"] and one_clear_line(run).endswith("line 2: not valid UTF-8\n")


@pytest.mark.parametrize("mmap", [False, True])
def test_word_ends_and_counts_of_any_integer_dtype_load_and_values_int64_cannot_hold_are_refused(tmp_path, model,
                                                                                                  mmap):
    with np.load(model) as archive:
        arrays = dict(archive)
    wide = _npz(tmp_path / "wide.npz", **(arrays | {"word_ends": arrays["word_ends"].astype(np.uint64),
                                                    "counts": arrays["counts"].astype(">u4")}))
    loaded = w2v.load(wide, mmap=mmap)
    assert loaded.index_to_key == w2v.load(model).index_to_key and loaded.counts.tolist() == arrays["counts"].tolist()
    for member in ("word_ends", "counts"):
        huge = arrays[member].astype(np.uint64)
        huge[-1] = 2**64 - 1
        bad = _npz(tmp_path / "bad.npz", **(arrays | {member: huge}))
        with pytest.raises(ModelFileError, match=rf"bad.npz: {member} must be one integer from 0 to 2\*\*63 - 1"):
            w2v.load(bad, mmap=mmap)
        one_clear_line(w2v_cli("similar", bad, "a0"))


_INTERRUPTED_WHILE_IMPORTING = """
import importlib.abc, os, signal, sys

class SignalOnNumpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)

from w2v.__main__ import main
assert "numpy" not in sys.modules  # importing w2v itself costs nothing: the command line's import comes later
sys.meta_path.insert(0, SignalOnNumpy())
sys.argv = ["w2v", "prepare", *sys.argv[1:]]
sys.exit(main())
"""

_INTERRUPTED_IN_A_FINALIZER = """
import os, signal, sys
from w2v import cli

prepare = cli.cmd_prepare

class SignalsWhenCollected:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)  # its handler runs here, where Python drops what it raises

def prepare_then_collect(args):
    code = prepare(args)
    SignalsWhenCollected()
    return code

cli.cmd_prepare = prepare_then_collect
sys.exit(cli.main(["prepare", *sys.argv[1:]]))
"""


@pytest.mark.parametrize("driver, said", [(_INTERRUPTED_WHILE_IMPORTING, "w2v: interrupted"),
                                          (_INTERRUPTED_IN_A_FINALIZER, "interrupted as it finished")],
                         ids=["while-importing", "in-a-finalizer"])
def test_a_ctrl_c_where_python_would_print_a_traceback_or_drop_it_is_one_line(tmp_path, corpus_file, driver, said):
    run = subprocess.run([sys.executable, "-c", driver, str(corpus_file), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, env=ENV, preexec_fn=takes_ctrl_c, timeout=120)
    assert run.returncode == 128 + signal.SIGINT and said in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
