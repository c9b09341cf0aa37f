"""Node embeddings: w2v (``w2v.graph.embed``) against PecanPy with gensim, on planted-partition graphs.

The graphs are drawn here with a seeded NumPy generator (networkx's stochastic block model
builds a Python object per edge, minutes and gigabytes at a million nodes): ``--nodes`` nodes
in ``--communities`` equal-odds communities, ``degree * nodes / 2`` undirected edges, each from
a uniform node to a node of its own community (probability ``1 - mix``) or to any node; self
loops dropped. The community is the node's label. The edge list is written as ``src<TAB>dst``
lines (PecanPy's default delimiter; w2v splits on any white space).

Each tool runs as its own process, from the edge list file to the vectors in memory, after
one untimed run on a 1,000-node graph (so that both tools' Numba caches are filled: a first
run anywhere compiles for 10 to 20 s more), timed whole (wall time and peak resident memory,
``ru_maxrss`` from ``wait4``), with node2vec's and PecanPy's defaults: 10 walks of 80 nodes
from every node, 128 dimensions, skip-gram, window 10, 5 negatives, 1 epoch, 2 threads.
PecanPy runs ``SparseOTF`` for node2vec (its default) and ``FirstOrderUnweighted`` for
DeepWalk (its fastest mode there), and trains with gensim's ``Word2Vec``; w2v walks into a
prepared corpus in a temporary cache and trains on it mapped.

Node classification: w2v's own one-vs-rest logistic regression (``w2v.graph.evaluate_nodes``)
over 5 stratified folds of up to 20,000 seeded sample nodes, macro and micro F1; nodes a tool
gave no vector are left out and counted. ``--sklearn-check`` also scores scikit-learn's
``OneVsRestClassifier(LogisticRegression())`` on the same folds.

Link prediction (``--links``): 10 % of each graph's edges are held out (``w2v.text.graph.hold_out``,
seed 1, never a node's last edge), every tool embeds the same training edge list, and
``w2v.graph.evaluate_links`` scores the held-out edges against as many non-edges (Hadamard
features, AUC).

    python bench/graphs.py --nodes 10000 100000 [--methods node2vec deepwalk] [--tools w2v pecanpy]
        [--peers-python /path/to/venv/bin/python]   # PecanPy pins numpy<2: give it a venv of its own
        [--links] [--sklearn-check]
    python bench/graphs.py --walks-only 1000000     # w2v walks alone: time and memory, no training
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SETTINGS = dict(walks_per_node=10, walk_length=80, dim=128, window=10, negative=5, epochs=1, threads=2, seed=1)
METHODS = {"node2vec": (1.0, 0.5), "deepwalk": (1.0, 1.0)}


def planted_partition(nodes: int, communities: int, degree: float, mix: float, seed: int, path: Path) -> np.ndarray:
    """Write the graph's edge list to ``path``; the labels, (nodes,) int."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, communities, nodes)
    members = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels, minlength=communities)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    with open(path, "w") as handle:
        total = int(degree * nodes / 2)
        for start in range(0, total, 1 << 22):
            m = min(1 << 22, total - start)
            u = rng.integers(0, nodes, m)
            inside = rng.random(m) >= mix
            c = labels[u]
            v = np.where(inside, members[firsts[c] + (rng.random(m) * sizes[c]).astype(np.int64)],
                         rng.integers(0, nodes, m))
            keep = u != v
            lines = np.char.add(np.char.add(u[keep].astype(str), "\t"), v[keep].astype(str))
            handle.write("\n".join(lines.tolist()) + "\n")
    return labels


# ---------------------------------------------------------------------- the children


def embed_w2v(edges: str, p: float, q: float, out: str) -> None:
    import w2v

    s = SETTINGS
    wv = w2v.graph.embed(edges, p=p, q=q, walks_per_node=s["walks_per_node"], walk_length=s["walk_length"],
                         seed=s["seed"], workers=s["threads"], vector_size=s["dim"], window=s["window"],
                         negative=s["negative"], epochs=s["epochs"], sample=1e-3)
    np.savez(out, IDs=np.array(wv.index_to_key), data=wv.vectors)


def walks_w2v(edges: str, p: float, q: float, out: str) -> None:
    import w2v

    s = SETTINGS
    report = w2v.graph.walks(edges, out, p=p, q=q, walks_per_node=s["walks_per_node"],
                             walk_length=s["walk_length"], seed=s["seed"], workers=s["threads"])
    print(report.describe(), file=sys.stderr)


def pecanpy_command(python: str, edges: str, p: float, q: float, out: str) -> list[str]:
    s = SETTINGS
    mode = "FirstOrderUnweighted" if (p, q) == (1.0, 1.0) else "SparseOTF"
    return [python, "-m", "pecanpy.cli", "--input", edges, "--output", out, "--mode", mode, "--p", str(p),
            "--q", str(q), "--dimensions", str(s["dim"]), "--walk-length", str(s["walk_length"]),
            "--num-walks", str(s["walks_per_node"]), "--window-size", str(s["window"]),
            "--epochs", str(s["epochs"]), "--workers", str(s["threads"]), "--random_state", str(s["seed"])]


def embed_command(tool: str, me: list[str], peers_python: str, edges, p: float, q: float, out: str) -> list[str]:
    """The child process that embeds ``edges`` with ``tool`` (w2v: this script's ``--child embed``)."""
    if tool == "w2v":
        return me + ["embed", str(edges), str(p), str(q), out]
    return pecanpy_command(peers_python, str(edges), p, q, out)


def run(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak resident MiB, stderr's tail) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{command[:4]} failed: {stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stderr[-300:]


# ---------------------------------------------------------------------- scoring


def saved_vectors(out: str):
    """A tool's ``IDs``/``data`` file as w2v's WordVectors, keyed by the node names."""
    from w2v.vectors.word_vectors import WordVectors

    saved = np.load(out)
    return WordVectors(saved["data"], [str(key) for key in saved["IDs"].tolist()])


def classify(out: str, labels: np.ndarray, seed: int = 0) -> dict:
    """w2v's node classification over 5 folds of up to 20,000 sample nodes: macro and micro F1, nodes without
    a vector."""
    import w2v

    sample = np.random.default_rng(seed).permutation(labels.size)[:20_000]
    scores = w2v.graph.evaluate_nodes(saved_vectors(out), [(str(v), int(labels[v])) for v in sample], folds=5,
                                      seed=seed)
    return {"macro_f1": round(scores.macro_f1, 4), "micro_f1": round(scores.micro_f1, 4),
            "sampled_without_vectors": scores.missing}


def sklearn_check(out: str, labels: np.ndarray, seed: int = 0) -> dict:
    """scikit-learn's one-vs-rest logistic regression on the folds :func:`classify` uses."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier

    from w2v.vectors.graph_evaluation import label_matrix, stratified_folds

    wv = saved_vectors(out)
    sample = np.random.default_rng(seed).permutation(labels.size)[:20_000]
    nodes, truth = label_matrix([(str(v), int(labels[v])) for v in sample if str(v) in wv])  # classify's order
    x, y = wv.vectors[[wv.key_to_index[v] for v in nodes]], truth.argmax(axis=1)
    fold = stratified_folds(truth, 5, seed)
    macro, micro = [], []
    for f in range(5):
        test = fold == f
        predicted = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(x[~test], y[~test]).predict(x[test])
        macro.append(f1_score(y[test], predicted, average="macro"))
        micro.append(f1_score(y[test], predicted, average="micro"))
    return {"sklearn_macro_f1": round(float(np.mean(macro)), 4), "sklearn_micro_f1": round(float(np.mean(micro)), 4)}


def held_out_split(edges: Path) -> tuple[Path, Path]:
    """Hold 10 % of the edges out (seed 1): (the training edge list every tool embeds, the held-out edges)."""
    from w2v.text.graph import hold_out, read_edge_list, write_held_out

    rest, held = hold_out(read_edge_list(edges), 0.1, seed=1)
    names = np.array(rest.names)
    src = np.repeat(np.arange(rest.nodes), np.diff(rest.indptr))
    once = src < rest.indices
    train, held_path = edges.with_name(f"{edges.stem}-train.tsv"), edges.with_name(f"{edges.stem}-held.txt")
    with open(train, "w") as handle:
        for start in range(0, int(once.sum()), 1 << 22):
            u, v = (ends[once][start : start + (1 << 22)] for ends in (src, rest.indices))
            handle.write("\n".join(np.char.add(np.char.add(names[u], "\t"), names[v]).tolist()) + "\n")
    write_held_out(held_path, rest, held)
    return train, held_path


def link_auc(out: str, held: Path, train: Path) -> float:
    import w2v

    return w2v.graph.evaluate_links(saved_vectors(out), held, graph=str(train)).auc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--tools", nargs="+", choices=["w2v", "pecanpy"], default=["w2v", "pecanpy"])
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--degree", type=float, default=20.0)
    parser.add_argument("--mix", type=float, default=0.75, help="share of edges that leave their community")
    parser.add_argument("--peers-python", default=sys.executable, help="a Python with pecanpy installed")
    parser.add_argument("--walks-only", type=int, nargs="*", default=[], metavar="NODES",
                        help="graphs of these sizes: time and memory of w2v walks alone")
    parser.add_argument("--links", action="store_true",
                        help="also hold 10 %% of the edges out, embed the rest and report link prediction AUC")
    parser.add_argument("--sklearn-check", action="store_true",
                        help="also report scikit-learn's node classification F1 on the same folds")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, edges, p, q, out = args.child
        (embed_w2v if kind == "embed" else walks_w2v)(edges, float(p), float(q), out)
        return
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {json.dumps(SETTINGS)}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="w2v-graphs-") as work:
        env = os.environ | {"W2V_CACHE_DIR": str(Path(work) / "cache")}
        me = [sys.executable, str(Path(__file__).resolve()), "--child"]
        warm = Path(work) / "warm.tsv"  # one untimed run of each first: Numba's caches (both tools') filled
        planted_partition(1000, args.communities, args.degree, args.mix, 2, warm)
        for method in args.methods:
            p, q = METHODS[method]
            for tool in args.tools:
                out = str(Path(work) / f"{tool}.npz")
                run(me + ["embed", str(warm), str(p), str(q), out] if tool == "w2v" else
                    pecanpy_command(args.peers_python, str(warm), p, q, out), env)
        for nodes in args.nodes:
            edges = Path(work) / f"sbm-{nodes}.tsv"
            started = time.perf_counter()
            labels = planted_partition(nodes, args.communities, args.degree, args.mix, 1, edges)
            print(f"graph: {nodes:,} nodes, {args.communities} communities, degree {args.degree}, mix {args.mix} "
                  f"({edges.stat().st_size / 1e6:.0f} MB, drawn in {time.perf_counter() - started:.0f} s)",
                  flush=True)
            for method in args.methods:
                p, q = METHODS[method]
                for tool in args.tools:
                    out = str(Path(work) / f"{tool}.npz")
                    command = embed_command(tool, me, args.peers_python, edges, p, q, out)
                    try:
                        seconds, peak, _ = run(command, env)
                    except RuntimeError as err:
                        print(json.dumps({"nodes": nodes, "method": method, "tool": tool, "error": str(err)}))
                        continue
                    scores = classify(out, labels) | (sklearn_check(out, labels) if args.sklearn_check else {})
                    print(json.dumps({"nodes": nodes, "method": method, "tool": tool, "seconds": round(seconds, 1),
                                      "peak_mib": round(peak)} | scores), flush=True)
            if args.links:
                train, held = held_out_split(edges)
                for method in args.methods:
                    p, q = METHODS[method]
                    for tool in args.tools:
                        out = str(Path(work) / f"{tool}.npz")
                        command = embed_command(tool, me, args.peers_python, train, p, q, out)
                        try:
                            run(command, env)
                        except RuntimeError as err:
                            print(json.dumps({"nodes": nodes, "method": method, "tool": tool, "error": str(err)}))
                            continue
                        print(json.dumps({"nodes": nodes, "method": method, "tool": tool, "held_out": "10 %",
                                          "link_auc": round(link_auc(out, held, train), 4)}), flush=True)
                train.unlink()
                held.unlink()
            edges.unlink()
        for nodes in args.walks_only:
            edges = Path(work) / f"sbm-{nodes}.tsv"
            planted_partition(nodes, args.communities, args.degree, args.mix, 1, edges)
            for method in args.methods:
                p, q = METHODS[method]
                seconds, peak, said = run(me + ["walks", str(edges), str(p), str(q), str(Path(work) / "walks")], env)
                print(json.dumps({"nodes": nodes, "edges_file_mb": round(edges.stat().st_size / 1e6),
                                  "method": method, "tool": "w2v walks", "seconds": round(seconds, 1),
                                  "peak_mib": round(peak), "said": said.strip()}), flush=True)


if __name__ == "__main__":
    main()
