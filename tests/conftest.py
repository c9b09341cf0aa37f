"""Shared fixtures: small self-made corpora, and PTB when ``W2V_DATA_DIR`` provides it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

# Without an NVIDIA GPU the CUDA kernels run in Numba's simulator (set before Numba loads).
HAS_NVIDIA_GPU = os.path.exists("/proc/driver/nvidia/version")
if not HAS_NVIDIA_GPU:
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")


def takes_ctrl_c() -> None:
    """``preexec_fn`` for a child a test interrupts: Ctrl-C's and hang-up's default handling, whatever this
    run inherited.

    A shell without job control starts background jobs (``pytest &``) with SIGINT ignored, and
    ``nohup`` starts them with SIGHUP ignored; children inherit that, and a w2v child rightly keeps
    an ignored signal ignored, so the test's signal would never arrive.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def ptb_dir() -> Path | None:
    data = os.environ.get("W2V_DATA_DIR")
    if data and (Path(data) / "ptb" / "ptb.train.txt").is_file():
        return Path(data)
    return None


requires_ptb = pytest.mark.skipif(
    ptb_dir() is None, reason="PTB not available offline: set W2V_DATA_DIR to a folder holding ptb/ptb.*.txt"
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's cache; downloads (if any test made one) land in a temp folder."""
    monkeypatch.setenv("W2V_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def sample_record():
    """A small training record, as train() attaches to the vectors it returns."""
    from w2v.config import TrainConfig
    from w2v.record import CorpusSummary, TrainingLog, TrainingRecord

    return TrainingRecord(TrainConfig(model="cbow", epochs=1, seed=3), CorpusSummary("toy", 12, 4),
                          TrainingLog(unit="chunk", loss_curve=[[1, 2.5]], epoch_losses=[2.5], seconds=0.5, words=12))


def planted_sentences(n_sentences: int = 2000, seed: int = 0, group_size: int = 10) -> list[list[str]]:
    """Two groups of words that co-occur only within their group (a0..a9 vs b0..b9 by default)."""
    rng = np.random.default_rng(seed)
    sentences = []
    for i in range(n_sentences):
        group = "a" if i % 2 == 0 else "b"
        sentences.append([f"{group}{w}" for w in rng.integers(0, group_size, size=12)])
    return sentences


@pytest.fixture
def planted_file(tmp_path) -> Path:
    path = tmp_path / "planted.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_sentences()) + "\n", encoding="utf-8")
    return path


def group_separation(wv) -> float:
    """Mean cosine within groups minus mean cosine across groups."""
    a = [w for w in wv.index_to_key if w.startswith("a")]
    b = [w for w in wv.index_to_key if w.startswith("b")]
    unit = wv.unit_vectors
    A, B = unit[[wv.key_to_index[w] for w in a]], unit[[wv.key_to_index[w] for w in b]]
    within = (np.mean(A @ A.T) + np.mean(B @ B.T)) / 2
    across = np.mean(A @ B.T)
    return float(within - across)


@pytest.fixture
def serve():
    """``serve(model_path, workers)``: the URL of ``w2v serve`` run as a process of its own on a free port of
    127.0.0.1, answering; every one started is stopped after the test."""
    import httpx

    processes = []

    def start(model: Path, workers: int = 1) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "w2v", "serve", str(model), "--port", str(port),
                                    "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/api/model", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.3)
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "w2v serve did not answer within 120 s"

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
