"""Data-parallel training over MPI: every rank runs a fast engine on its share of the corpus.

Launch: ``mpiexec -n 4 python -m mpi4py -m w2v train CORPUS_DIR -o model.npz --distributed``.
Every rank opens the same corpus (a prepared corpus on a shared file system is mapped, not
copied) and builds the same fast setup and the same initial weights. The epoch's chunks are
split by position: rank r trains chunks ``C r / P .. C (r + 1) / P - 1``, so no range is
trained twice or skipped. Its engine (CPU threads, or a GPU chosen by the rank's place on its
node) trains ``sync_chunks`` chunks, then the ranks combine the rows of the ``hot_rows`` most
frequent words of both matrices (in-place ``Allreduce``, in pieces below MPI's 2**31 count
limit); every ``full_sync_chunks`` chunks (by default 64, more for a large vocabulary: see
:func:`full_sync_period`), and at the end of each epoch, they combine every row. Combining
adds the ranks' changes since the last sync to the rows, damped for rows that more than two
ranks changed (:class:`RowCombiner`; plain averaging, ``combine="mean"``, counts a change made
on one rank 1/P).
The learning-rate schedule is global: at each sync the ranks add up the words they trained,
and between syncs each rank counts its own words P times.

Rank 0 writes the model and the checkpoints; decisions to save or stop are rank 0's, broadcast
at every block, so the ranks never disagree about a collective step. With one rank the run is
the single-process run, bit for bit.
"""

from __future__ import annotations

import dataclasses
import os
import time
import warnings
from typing import Any, Callable

import numpy as np

from ..config import TrainConfig
from ..errors import ConfigError, ModelFileError
from ..text.corpus import Corpus
from ..training.engine import BlockStats
from .common import RankEngine

MAX_COUNT = 2**31 - 1  # MPI counts are C ints


def _mpi() -> Any:
    """mpi4py's MPI module, or a ConfigError saying what to install."""
    try:
        from mpi4py import MPI
    except ImportError:
        raise ConfigError("distributed=True needs mpi4py and an MPI library: pip install 'w2v[mpi]'",
                          options=("distributed",)) from None
    return MPI


def local_size() -> int:
    """How many ranks of this MPI job share this machine (1 without MPI)."""
    return _mpi().COMM_WORLD.Split_type(_mpi().COMM_TYPE_SHARED).Get_size()


def allreduce_sum(comm: Any, block: np.ndarray) -> None:
    """Replace a C-contiguous (n, D) float32 ``block`` by its sum over the ranks, in place, in
    ``Allreduce`` calls of at most ``MAX_COUNT`` elements (whole rows)."""
    MPI = _mpi()
    rows_per_call = max(1, MAX_COUNT // max(block.shape[1], 1))
    for start in range(0, block.shape[0], rows_per_call):
        comm.Allreduce(MPI.IN_PLACE, block[start:start + rows_per_call], op=MPI.SUM)


class RowCombiner:
    """Combines the ranks' copies of a block of rows, in place, so that every rank holds the result.

    ``"changes"`` (the default): each row becomes its value at the last sync plus the sum of
    the ranks' changes, ``W_last + sum_r (W_r - W_last) / max(1, n / 2)`` with n the number of
    ranks whose row differs from ``W_last``: a row that one or two ranks changed keeps every
    change in full, as in one process; a row that more ranks changed (the frequent words,
    which move on every rank between syncs) gets two ranks' worth of their mean change. The
    sum alone overshoots those rows, each rank's change being made without the others':
    measured, 4 ranks of CBOW at alpha 0.05 diverged. ``"mean"``: plain model averaging,
    ``sum_r W_r / P``, under which a change made on one rank counts 1/P, as if that word's
    learning rate were divided by P; on wiki.txt it costs 6-7 points of analogy accuracy
    at 2 ranks (bench/RESULTS.md).

    Parameters
    ----------
    comm : MPI communicator
    rule : {"changes", "mean"}
    last : list of three (n_k, D) float32 arrays, for "changes"
        W_in's, W_out's and W_node's rows as last combined (the initial weights at first);
        updated as rows are combined.
    """

    def __init__(self, comm: Any, rule: str, last: list[np.ndarray] | None = None):
        self.comm, self.rule, self.last = comm, rule, last
        self.scale = np.float32(1.0 / comm.Get_size())

    def __call__(self, k: int, rows: slice, block: np.ndarray) -> None:
        """Combine ``block``, rows ``rows`` of matrix ``k`` (0, 1, 2: W_in, W_out, W_node); (n, D)
        float32, C-contiguous."""
        if self.comm.Get_size() == 1:
            return  # nothing to combine: one rank is the single-process run, bit for bit
        if self.rule == "mean":
            allreduce_sum(self.comm, block)
            block *= self.scale
            return
        last = self.last[k][rows]
        block -= last
        changed = np.any(block != 0, axis=1).astype(np.float32).reshape(-1, 1)
        allreduce_sum(self.comm, block)
        allreduce_sum(self.comm, changed)
        block /= np.maximum(changed * np.float32(0.5), 1)  # more than two ranks: two ranks' worth
        block += last
        last[...] = block


def _differs(comm: Any, value: Any) -> list[int]:
    """The ranks whose ``value`` differs from rank 0's."""
    values = comm.allgather(value)
    return [rank for rank, other in enumerate(values) if other != values[0]]


class DistributedEngine:
    """Runs the fast engine that ``make_local`` builds on this rank's share of every epoch.

    Parameters
    ----------
    corpus : Corpus
        The whole corpus (every rank opens it).
    cfg : TrainConfig
        Resolved, with ``distributed=True``; ``workers`` threads per rank.
    make_local : callable
        ``make_local(corpus, cfg)`` -> the :class:`~w2v.fast.common.RankEngine` this rank runs
        (a CpuEngine or CudaEngine).
    """

    unit_name = "chunk"

    def __init__(self, corpus: Corpus, cfg: TrainConfig, make_local: Callable[[Corpus, TrainConfig], RankEngine]):
        MPI = _mpi()
        comm = MPI.COMM_WORLD
        self.comm, self.rank, self.size = comm, comm.Get_rank(), comm.Get_size()
        self.is_root = self.rank == 0
        different = _differs(comm, corpus.fingerprint())
        if different:
            raise ConfigError(f"rank {different[0]} sees a different corpus than rank 0 ({corpus.name}); every rank "
                              "must open the same corpus (a prepared corpus on a shared file system)")
        options = {k: v for k, v in vars(cfg).items() if k != "workers"}
        different = _differs(comm, options)
        if different:
            raise ConfigError(f"rank {different[0]} was started with other options than rank 0; start every rank "
                              "with the same command")
        if cfg.device == "cuda":
            from numba import cuda

            node_rank = comm.Split_type(MPI.COMM_TYPE_SHARED).Get_rank()
            cuda.select_device(node_rank % len(cuda.gpus))
        self.cfg = cfg
        self.local = make_local(corpus, cfg)
        self._own_random_streams()
        setup = self.local.setup
        chunks = setup.units_per_epoch
        self.first, self.stop = chunks * self.rank // self.size, chunks * (self.rank + 1) // self.size
        self.units_per_epoch = max(chunks * (r + 1) // self.size - chunks * r // self.size for r in range(self.size))
        self.hot = min(cfg.hot_rows, setup.vocabulary - 1)
        self.full_sync_chunks = cfg.full_sync_chunks or full_sync_period(setup.vocabulary, cfg.hot_rows,
                                                                         cfg.sync_chunks)
        keeps_last = cfg.combine == "changes" and self.size > 1  # one rank combines nothing
        self.combine = RowCombiner(comm, cfg.combine, self._weights() if keeps_last else None)
        self.words_done = 0  # words trained by all ranks (all epochs) at the last sync
        self.since_full = 0
        self.communication_seconds = 0.0
        self.epoch = 0
        self.pids = comm.gather(os.getpid())
        if self.size == 1:
            warnings.warn("distributed=True, but this is the only MPI process: start several with "
                          "mpiexec -n N python -m mpi4py -m w2v train ...", stacklevel=2)

    def _weights(self) -> list[np.ndarray]:
        """Host copies of the local engine's W_in, W_out and W_node."""
        state = self.local.state_dict()
        return [np.ascontiguousarray(state[name]) for name in ("W_in", "W_out", "W_node")]

    def _own_random_streams(self) -> None:
        """Rank r's workers take seeds 1 + rW .. (r + 1)W of the run's seed (rank 0's are the single-process ones)."""
        states = self.local.rng_states
        if states is None:  # the GPU engine's random numbers are hashes of the position
            return
        workers = len(states)
        _, seeds = self.local.setup.seeds(workers * self.size)
        mine = seeds[self.rank * workers:(self.rank + 1) * workers]
        self.local.rng_states = [s.generate_state(1, dtype=np.uint64) | np.uint64(1) for s in mine]

    def describe(self) -> str:
        """One line: ranks, their PIDs, and the sync schedule (rank 0 knows the PIDs)."""
        cfg = self.cfg
        pids = ", ".join(f"{rank}: {pid}" for rank, pid in enumerate(self.pids or []))
        return (f"distributed: {self.size} ranks x {cfg.workers} workers (PIDs {pids}); combining ({cfg.combine}) the "
                f"{self.hot:,} most frequent rows every {cfg.sync_chunks} chunks, every row every "
                f"{self.full_sync_chunks} chunks and at each epoch's end")

    def consensus(self, value: Any) -> Any:
        """Rank 0's ``value``, on every rank."""
        return self.comm.bcast(value, root=0)

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.local.start_epoch(epoch)

    def run(self, start: int, stop: int) -> BlockStats:
        """Train this rank's units ``start .. stop - 1`` of the epoch, averaging as scheduled."""
        cfg, setup = self.cfg, self.local.setup
        communicated = self.communication_seconds
        totals = np.zeros(3, dtype=np.float64)
        lr = float(setup.alpha_after(self.words_done))
        for a in range(start, stop, cfg.sync_chunks):
            b = min(a + cfg.sync_chunks, stop)
            first, last = min(self.first + a, self.stop), min(self.first + b, self.stop)
            base = self.words_done - self.size * setup.chunk_position[first]
            if last > first:
                stats = self.local.train_range(
                    first, last, lambda positions, base=base: setup.alpha_after(base + self.size * positions))
                totals += (stats.loss_sum, stats.loss_count, stats.words)
                lr = stats.lr
            trained = int(setup.chunk_position[last] - setup.chunk_position[first])
            self.since_full += b - a
            full = self.since_full >= self.full_sync_chunks or b == self.units_per_epoch
            self._synchronise(trained, full)
        started = time.perf_counter()
        self.comm.Allreduce(_mpi().IN_PLACE, totals, op=_mpi().SUM)
        self.communication_seconds += time.perf_counter() - started
        return BlockStats(float(totals[0]), int(totals[1]), int(totals[2]), lr,
                          communication_seconds=self.communication_seconds - communicated)

    def _synchronise(self, trained: int, full: bool) -> None:
        started = time.perf_counter()
        self.local.reduce_rows(None if full else self.hot, self.combine)
        self.words_done += self.comm.allreduce(trained)
        if full:
            self.since_full = 0
        self.communication_seconds += time.perf_counter() - started

    def word_vectors(self, *, final: bool = False) -> np.ndarray:
        return self.local.word_vectors(final=final)

    def output_weights(self, *, final: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        return self.local.output_weights(final=final)

    def state_dict(self) -> dict[str, Any]:
        """Every row combined first (so the ranks agree), then rank 0 gathers the workers' random states."""
        started = time.perf_counter()
        self.local.reduce_rows(None, self.combine)
        self.since_full = 0
        state = self.local.state_dict()
        if "rng_states" in state:
            gathered = self.comm.gather(state["rng_states"])
            state["rng_states"] = np.concatenate(gathered) if self.is_root else state["rng_states"]
        self.communication_seconds += time.perf_counter() - started
        return state | {"ranks": self.size, "words_done": self.words_done}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        ranks = state.get("ranks")
        if ranks != self.size:
            raise ModelFileError(f"the checkpoint is from a run of {ranks} ranks; resume it with mpiexec -n {ranks}")
        words_done = state.get("words_done")
        if not isinstance(words_done, int) or words_done < 0:
            raise ModelFileError(f"the checkpoint's words_done is {words_done!r}")
        local = dict(state)
        if "rng_states" in state and isinstance(state["rng_states"], np.ndarray):
            per_rank = state["rng_states"].size // self.size
            local["rng_states"] = state["rng_states"][self.rank * per_rank:(self.rank + 1) * per_rank]
        self.local.load_state_dict(local)
        if self.combine.last is not None:  # a checkpoint's rows are combined: every rank holds them
            self.combine.last = self._weights()
        self.words_done = words_done
        self.epoch = self.local.epoch


def full_sync_period(vocabulary: int, hot_rows: int, sync_chunks: int) -> int:
    """The default chunks between averages of every row: at least 64, and ``sync_chunks x V / hot_rows``
    for a large vocabulary, so that averaging all V rows moves no more bytes than the hot-row
    averages in between (at most twice the hot rows' traffic; see docs/scaling.md)."""
    return max(64, sync_chunks * -(-vocabulary // hot_rows))


def agree(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` with rank 0's seed on every rank (an unseeded run draws one per process)."""
    return dataclasses.replace(cfg, seed=_mpi().COMM_WORLD.bcast(cfg.seed, root=0))
