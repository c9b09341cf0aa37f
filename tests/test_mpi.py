"""Data-parallel training over MPI: averaging, the split of the corpus, faults, resume.

Each test starts ``mpiexec -n 2`` (the ``mpi`` extra's MPICH) on this machine under a timeout.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.training.checkpoint import load_checkpoint, save_checkpoint

from conftest import group_separation, planted_sentences, takes_ctrl_c

MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="needs mpiexec and mpi4py: pip install 'w2v[mpi]'")
ENV = dict(os.environ, PYTHONUNBUFFERED="1")
TRAIN = ["--min-count", "1", "--vector-size", "16", "--workers", "1", "--seed", "3", "--quiet"]


def mpiexec(n, *args, timeout=240, **kwargs):
    return subprocess.run([MPIEXEC, "-n", str(n), sys.executable, "-m", "mpi4py", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=kwargs.pop("env", ENV), **kwargs)


def w2v_ranks(n, *args, **kwargs):
    return mpiexec(n, "-m", "w2v", *args, **kwargs)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "planted.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_sentences(8000)) + "\n")
    return path


def test_combining_equals_numpy_for_three_ranks_in_pieces_below_the_count_limit(tmp_path):
    script = tmp_path / "combine.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        from mpi4py import MPI
        import w2v.fast.mpi as mpi
        comm = MPI.COMM_WORLD
        mpi.MAX_COUNT = 10  # pieces of one row of 7 floats: many calls
        last = np.random.default_rng(99).standard_normal((8, 7)).astype(np.float32)  # the same on every rank
        rows = slice(2, 7)
        for rule in ("mean", "changes"):
            kept = [last.copy() for _ in range(3)]
            mine = np.random.default_rng(comm.Get_rank()).standard_normal((5, 7)).astype(np.float32)
            if comm.Get_rank() > 0:
                mine[4] = last[6]  # only rank 0 changed the block's last row
            every = comm.gather(mine.copy())
            mpi.RowCombiner(comm, rule, kept)(1, rows, mine)
            if comm.Get_rank() == 0:
                every = np.array(every, dtype=np.float64)
                changed = np.any(every != last[rows], axis=2).sum(axis=0)[:, None]  # ranks per row
                want = last[rows] + (every - last[rows]).sum(axis=0) / np.maximum(changed / 2, 1)
                if rule == "mean":
                    want = every.mean(axis=0)
                np.testing.assert_allclose(mine, want, rtol=1e-5, atol=1e-5)
                if rule == "changes":  # the combined rows are the next combination's starting point
                    np.testing.assert_array_equal(kept[1][rows], mine)
                    np.testing.assert_array_equal(kept[1][:2], last[:2])
                    np.testing.assert_array_equal(kept[0], last)
            others = comm.gather(mine)
            if comm.Get_rank() == 0:
                assert all(np.array_equal(others[0], o) for o in others)  # every rank holds the same rows
        if comm.Get_rank() == 0:
            print("ok")
    """))
    run = mpiexec(3, script)  # 3 ranks: rows that all changed are damped
    assert run.returncode == 0 and "ok" in run.stdout, run.stderr


def test_the_default_full_sync_period_grows_with_the_vocabulary_so_full_averages_cost_no_more_than_hot_ones():
    from w2v.fast.mpi import full_sync_period

    assert full_sync_period(70_000, 4096, 4) == 72  # wiki.txt-sized: about the fixed 64
    assert full_sync_period(1000, 4096, 4) == 64
    for vocabulary in (1_000_000, 10_000_000):
        period = full_sync_period(vocabulary, 4096, 4)
        hot_rows_moved = (period / 4) * 4096  # rows the hot averages move between two full ones
        assert vocabulary <= hot_rows_moved < vocabulary + 4 * 4096


def test_one_rank_is_the_single_process_run_bit_for_bit(tmp_path, corpus_file):
    single = w2v.train(corpus_file, epochs=2, min_count=1, vector_size=16, workers=1, seed=3)
    run = w2v_ranks(1, "train", corpus_file, "-o", tmp_path / "d.npz", "--distributed", "--epochs", "2", *TRAIN)
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(w2v.load(tmp_path / "d.npz").vectors, single.vectors)


@pytest.mark.parametrize("rule, group_size", [("changes", 500), ("mean", 10)])
def test_two_ranks_syncing_every_chunk_learn_what_one_process_learns(tmp_path, rule, group_size):
    # Adding both ranks' changes is Hogwild with a delay of one chunk: fine where a row changes
    # a few hundred times a chunk (1,000 words), not where it changes thousands of times (20).
    corpus_file = tmp_path / "planted.txt"
    corpus_file.write_text("\n".join(" ".join(s) for s in planted_sentences(8000, group_size=group_size)) + "\n")
    single = w2v.train(corpus_file, epochs=3, min_count=1, vector_size=16, workers=1, seed=3)
    run = w2v_ranks(2, "train", corpus_file, "-o", tmp_path / "d.npz", "--distributed", "--epochs", "3",
                    "--sync-chunks", "1", "--full-sync-chunks", "1", "--combine", rule, *TRAIN)
    assert run.returncode == 0, run.stderr
    both = w2v.load(tmp_path / "d.npz")
    assert both.record.log.words == single.record.log.words  # every word once per epoch, none twice
    assert both.record.log.communication_seconds > 0
    assert abs(both.record.log.final_loss - single.record.log.final_loss) < 0.05 * single.record.log.final_loss
    assert group_separation(both) > 0.8 * group_separation(single)


def test_killing_one_rank_ends_the_job_with_a_line_naming_it(tmp_path, corpus_file):
    checkpoint = tmp_path / "run.ckpt.npz"
    job = subprocess.Popen([MPIEXEC, "-n", "2", sys.executable, "-m", "mpi4py", "-m", "w2v", "train", str(corpus_file),
                            "-o", str(tmp_path / "d.npz"), "--distributed", "--epochs", "2000", "--checkpoint",
                            str(checkpoint), "--checkpoint-every", "0.2s", *TRAIN[:-1]],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    ranks = [int(p) for p in os.listdir("/proc") if p.isdigit() and _is_rank(int(p), 1)]
    assert ranks, "rank 1 not found"
    os.kill(ranks[0], signal.SIGKILL)
    started = time.time()
    err, _ = job.communicate(timeout=60)
    assert job.returncode != 0 and time.time() - started < 60
    assert f"1: {ranks[0]}" in err  # our line, which maps PIDs to ranks ...
    job_pids = {int(pid) for pid in re.findall(r"\b\d: (\d+)", err)}
    named = {int(pid) for pid in re.findall(r"PID (\d+) RUNNING", err)}
    # ... and the launcher's (on stdout): it names the first rank it saw end, which under load can be rank 0,
    # killed by the launcher's cleanup a moment after rank 1
    assert "Killed" in err and named and named <= job_pids, err


def _is_rank(pid, rank):
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"mpi4py" in cmdline and f"PMI_RANK={rank}".encode() in environ


def test_an_interrupted_run_resumes_with_the_same_number_of_ranks(tmp_path, corpus_file):
    checkpoint = tmp_path / "run.ckpt.npz"
    job = subprocess.Popen([MPIEXEC, "-n", "2", sys.executable, "-m", "mpi4py", "-m", "w2v", "train", str(corpus_file),
                            "-o", str(tmp_path / "d.npz"), "--distributed", "--epochs", "400", "--checkpoint",
                            str(checkpoint), "--checkpoint-every", "0.2s", "--loss-every", "2", *TRAIN],
                           stderr=subprocess.PIPE, text=True, env=ENV, preexec_fn=takes_ctrl_c)
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    job.send_signal(signal.SIGINT)  # mpiexec passes it to every rank
    _, err = job.communicate(timeout=120)
    assert job.returncode != 0 and "stopped by SIGINT" in err and "mpiexec -n 2" in err, err
    assert err.count("stopped by SIGINT") == 1  # rank 0 alone reports
    refused = w2v_ranks(1, "train", "--resume", checkpoint, "-o", tmp_path / "d.npz", "--quiet")
    assert refused.returncode != 0 and "from a run of 2 ranks" in refused.stderr
    saved = load_checkpoint(checkpoint)
    saved.config.epochs = saved.position.epoch + 2  # finish soon: the resumed run needs only end
    save_checkpoint(checkpoint, saved)
    resumed = w2v_ranks(2, "train", "--resume", checkpoint, "-o", tmp_path / "d.npz", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert np.isfinite(w2v.load(tmp_path / "d.npz").vectors).all()


def test_ranks_that_see_different_corpora_stop_before_training(tmp_path, corpus_file):
    other = tmp_path / "other.txt"
    other.write_text(corpus_file.read_text().replace("a1 ", "a2 "))
    command = [sys.executable, "-m", "mpi4py", "-m", "w2v", "train"]
    run = subprocess.run([MPIEXEC, "-n", "1", *command, str(corpus_file), "-o", str(tmp_path / "d.npz"),
                          "--distributed", *TRAIN, ":", "-n", "1", *command, str(other), "-o",
                          str(tmp_path / "d.npz"), "--distributed", *TRAIN], capture_output=True, text=True,
                         timeout=120, env=ENV)
    assert run.returncode != 0 and "rank 1 sees a different corpus than rank 0" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "d.npz").exists()


def test_distributed_without_mpi4py_says_what_to_install(tmp_path, corpus_file):
    code = ("import sys; sys.modules['mpi4py'] = None; from w2v.cli import main; "
            f"sys.exit(main(['train', {str(corpus_file)!r}, '-o', {str(tmp_path / 'd.npz')!r}, '--distributed']))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "pip install 'w2v[mpi]'" in run.stderr and len(run.stderr.splitlines()) == 1


def test_the_gpu_engine_averages_too_in_the_cuda_simulator(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("\n".join(" ".join(s) for s in planted_sentences(20)) + "\n")
    env = dict(ENV, NUMBA_ENABLE_CUDASIM="1")
    run = w2v_ranks(2, "train", corpus, "-o", tmp_path / "g.npz", "--distributed", "--device", "cuda", "--epochs",
                    "1", "--sync-chunks", "1", "--full-sync-chunks", "1", *TRAIN, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    wv = w2v.load(tmp_path / "g.npz")
    assert wv.record.config.device == "cuda" and np.isfinite(wv.vectors).all()
