"""A bounded load test of ``w2v serve`` on 127.0.0.1: requests per second, p50 and p99 latency, errors, and memory.

    python bench/serve.py [--words 200000 --dim 300 | --model vectors.npz] --workers 1 4 --clients 8 --seconds 30

For each ``--workers`` count, ``w2v serve`` is started on a free port of 127.0.0.1 with the
model (generated and saved as an ``.npz`` unless ``--model`` is given), ``--clients``
concurrent clients (one process, asyncio, httpx) ask ``GET /api/similar`` for random words'
10 neighbours for ``--seconds``, and then the server's processes' proportional set size (PSS,
which splits each shared page between the processes that map it) is summed from
``/proc/PID/smaps_rollup``. The clients share the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from w2v import WordVectors, load


def tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return [pid] + [grandchild for child in children for grandchild in tree(child)]


def pss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def start(model: Path, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "w2v", "serve", str(model), "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/api/model", timeout=5).status_code == 200:
                # every worker answers: as many more requests as workers, then a moment for them all to map
                for _ in range(4 * workers):
                    httpx.get(url + "/api/similar", params={"positive": "w0"}, timeout=60)
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"w2v serve --workers {workers} did not answer")


async def load_test(url: str, words: list[str], clients: int, seconds: float, seed: int) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client(number: int) -> None:
        nonlocal errors
        rng = np.random.default_rng(seed + number)
        async with httpx.AsyncClient(base_url=url, timeout=30) as session:
            while time.perf_counter() < stop:
                word = words[int(rng.integers(len(words)))]
                began = time.perf_counter()
                response = await session.get("/api/similar", params={"positive": word, "topn": 10})
                latencies.append(time.perf_counter() - began)
                errors += response.status_code != 200

    began = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - began
    ms = np.array(latencies) * 1e3
    return {"requests": len(latencies), "errors": errors, "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model = args.model
        if model is None:
            rng = np.random.default_rng(args.seed)
            model = Path(folder) / "generated.npz"
            WordVectors(rng.standard_normal((args.words, args.dim), dtype=np.float32),
                        [f"w{i}" for i in range(args.words)]).save(model)
        wv = load(model, mmap=True)
        words = wv.index_to_key[: min(len(wv), 100_000)]
        results = []
        for workers in args.workers:
            process, url = start(model, workers)
            try:
                row = {"workers": workers, "clients": args.clients, "seconds": args.seconds}
                row.update(asyncio.run(load_test(url, words, args.clients, args.seconds, args.seed)))
                pids = tree(process.pid)
                row.update({"processes": len(pids), "pss_mib": round(pss_mib(pids), 1)})
                results.append(row)
            finally:
                process.terminate()
                process.wait(timeout=60)
    print(json.dumps({"model": str(args.model or f"generated {args.words} x {args.dim}"), "words": len(wv),
                      "dim": wv.vector_size, "vectors_mib": round(wv.vectors.nbytes / 2**20, 1),
                      "runs": results}, indent=1))


if __name__ == "__main__":
    main()
