"""The Huffman tree of a vocabulary's counts: what hierarchical softmax walks.

A word is the leaf at the end of a path from the root through inner nodes ``0 .. V-2``; at
each inner node the path turns left (code 0) or right (code 1). Frequent words get short
paths. The tree is built as word2vec.c builds it (two queues over counts sorted in
descending order, O(V) after the sort), so the same counts give the same codes.

Hierarchical softmax scores each inner node n on a word's path with ``s(h . W_node[n])`` as
the probability of turning left (label ``1 - code``), so the word's probability is the
product over its path and all words' probabilities sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._numba.cache import CACHE


@dataclass(frozen=True)
class HuffmanTree:
    """Paths of every word.

    Attributes
    ----------
    codes : (V, L) uint8
        ``codes[w, :lengths[w]]``: the turns from the root to word w (0 left, 1 right).
    points : (V, L) int32
        ``points[w, :lengths[w]]``: the inner nodes on that path, root first, in ``0 .. V-2``.
    lengths : (V,) int32
        Path lengths (the longest is L); 0 for a vocabulary of one word.
    """

    codes: np.ndarray
    points: np.ndarray
    lengths: np.ndarray

    @property
    def inner_nodes(self) -> int:
        return max(int(self.lengths.size) - 1, 0)


@njit(cache=CACHE, nogil=True)
def _build(counts, parent, binary):
    """word2vec.c's CreateBinaryTree: ``parent[i]`` and ``binary[i]`` for the 2V - 1 nodes."""
    V = counts.size
    weight = np.empty(2 * V - 1, dtype=np.int64)
    weight[:V] = counts
    weight[V:] = np.iinfo(np.int64).max
    pos1, pos2 = V - 1, V
    for a in range(V - 1):
        picks = np.empty(2, dtype=np.int64)
        for k in range(2):  # the two lightest of the leaves (from the end) and the new nodes (from V)
            if pos1 >= 0 and weight[pos1] < weight[pos2]:
                picks[k] = pos1
                pos1 -= 1
            else:
                picks[k] = pos2
                pos2 += 1
        weight[V + a] = weight[picks[0]] + weight[picks[1]]
        parent[picks[0]] = V + a
        parent[picks[1]] = V + a
        binary[picks[1]] = 1


@njit(cache=CACHE, nogil=True)
def _longest(parent, V):
    """The longest leaf-to-root path (parents are numbered after their children)."""
    depth = np.zeros(2 * V - 1, dtype=np.int64)
    for node in range(2 * V - 3, -1, -1):
        depth[node] = depth[parent[node]] + 1
    return depth[:V].max()


@njit(cache=CACHE, nogil=True)
def _paths(parent, binary, V, codes, points, lengths):
    root = 2 * V - 2
    for w in range(V):
        n, node = 0, w
        while node != root:  # leaf to root, then reversed
            codes[w, n] = binary[node]
            points[w, n] = parent[node] - V
            node = parent[node]
            n += 1
        lengths[w] = n
        for i in range(n // 2):
            codes[w, i], codes[w, n - 1 - i] = codes[w, n - 1 - i], codes[w, i]
            points[w, i], points[w, n - 1 - i] = points[w, n - 1 - i], points[w, i]


def huffman_tree(counts: np.ndarray) -> HuffmanTree:
    """The Huffman tree of ``counts`` : (V,) int.

    Built over the counts in descending order (a Vocab's are, except a continued model's, whose
    new words follow the old ones: see :func:`w2v.text.corpus.grown_corpus`); equal counts keep
    their order, and each word keeps its own row of the paths.
    """
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    V = counts.size
    if V < 2:
        return HuffmanTree(np.zeros((V, 0), np.uint8), np.zeros((V, 0), np.int32), np.zeros(V, np.int32))
    if np.any(np.diff(counts) > 0):
        order = np.argsort(-counts, kind="stable")
        ranked = huffman_tree(counts[order])
        codes, points, lengths = (np.empty_like(a) for a in (ranked.codes, ranked.points, ranked.lengths))
        codes[order], points[order], lengths[order] = ranked.codes, ranked.points, ranked.lengths
        return HuffmanTree(codes, points, lengths)
    parent = np.zeros(2 * V - 1, dtype=np.int64)
    binary = np.zeros(2 * V - 1, dtype=np.uint8)
    _build(counts, parent, binary)
    longest = _longest(parent, V)
    codes = np.zeros((V, longest), dtype=np.uint8)
    points = np.zeros((V, longest), dtype=np.int32)
    lengths = np.zeros(V, dtype=np.int32)
    _paths(parent, binary, V, codes, points, lengths)
    return HuffmanTree(codes, points, lengths)
