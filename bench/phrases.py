"""Phrases on wiki.txt: w2v phrases vs gensim's Phrases (and word2vec.c's word2phrase), speed and phrases found.

Each tool runs as its own process, two passes (word2vec.c's ``demo-phrases.sh``: min-count 5,
threshold 200 then 100), each pass reading the text the last one wrote:

- w2v: ``w2v phrases CORPUS -o OUT --threshold 200 100``;
- gensim: ``Phrases(sentences, scoring=word2phrase_score)`` and its ``phrases[sentence]`` written
  out, then the same on that file. ``word2phrase_score`` is word2phrase's formula (gensim's
  own default multiplies by its vocabulary size instead of the corpus size); sentences are
  the file's lines, ``line.split()``, streamed (gensim's LineSentence would cut lines at
  10,000 words);
- word2phrase, with ``--word2phrase PATH`` (or ``--word2phrase build``: built from
  ``../shared/peers/word2vec``): ``word2phrase -train CORPUS -output OUT -threshold 200``, then
  100 on that. It is slow (it clears a 2 GB hash table twice a pass), hence opt-in.

Then compared: the phrases each pass found (w2v's vs gensim's ``export_phrases``, pass 1),
the texts written (line by line, after splitting), and the phrase tokens in them. Last, w2v
trains CBOW on its phrased text and answers word2vec.c's phrase analogies
(``questions-phrases.txt``, all words searched, as its ``demo-phrase-accuracy.sh`` does).

    W2V_DATA_DIR=../shared/data python bench/phrases.py [--corpus PATH] [--word2phrase build] [--skip-train]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THRESHOLDS = (200.0, 100.0)
MIN_COUNT = 5
HERE = Path(__file__).resolve().parent


def word2phrase_score(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """word2vec.c's word2phrase score, in gensim's scoring signature."""
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count


class Lines:
    """A file's lines as lists of words, streamed (re-iterable, as gensim's Phrases needs)."""

    def __init__(self, path: str):
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                yield line.split()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_w2v(corpus: str, out: str) -> dict:
    import w2v

    start = time.perf_counter()
    report = w2v.phrases(corpus, out, min_count=MIN_COUNT, threshold=list(THRESHOLDS), passes=len(THRESHOLDS))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": peak_mib(), "found": [sorted(p.found) for p in report.passes]}


def run_gensim(corpus: str, out: str) -> dict:
    from gensim.models.phrases import Phrases

    start = time.perf_counter()
    found, source = [], corpus
    for number, threshold in enumerate(THRESHOLDS, 1):
        model = Phrases(Lines(source), min_count=MIN_COUNT, threshold=threshold, scoring=word2phrase_score)
        if number == 1:  # export_phrases reads joined tokens back by splitting them at "_": right for pass 1 only
            found.append(sorted(model.export_phrases()))
        target = out if number == len(THRESHOLDS) else f"{out}.pass{number}"
        with open(target, "w", encoding="utf-8") as handle:
            for sentence in Lines(source):
                handle.write(" ".join(model[sentence]) + "\n")
        source = target
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": peak_mib(), "found": found}


def worker(tool: str, corpus: str, out: str) -> dict:
    """Run one tool in a fresh process; its result as a dict."""
    result = subprocess.run([sys.executable, __file__, "--worker", tool, corpus, out], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        sys.exit(f"{tool} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_word2phrase(binary: str, corpus: str, out: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    source = corpus
    for number, threshold in enumerate(THRESHOLDS, 1):
        target = out if number == len(THRESHOLDS) else f"{out}.pass{number}"
        subprocess.run([binary, "-train", source, "-output", target, "-threshold", str(threshold),
                        "-min-count", str(MIN_COUNT), "-debug", "0"], check=True, capture_output=True)
        source = target
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mib": after / 1024 if after > before else float("nan"), "found": None}


def find_word2phrase(given: str | None, scratch: Path) -> str | None:
    """The word2phrase binary: ``given``, or built from the peer's source when ``given`` is "build"."""
    if given != "build":
        return given
    build = HERE.parent.parent / "shared" / "peers" / "word2vec" / "build.sh"
    done = subprocess.run(["bash", str(build), str(scratch / "word2vec-bin")], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"could not build word2phrase:\n{done.stderr}")
    return str(Path(done.stdout.strip().splitlines()[-1]) / "word2phrase")


def read_words(path: str):
    """Each line of ``path`` split into words (streamed)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield line.split()


def compare(path: str, ours: str) -> tuple[set[str], float]:
    """The phrase tokens of ``path``'s text and the fraction of its lines equal to ``ours``'s (streamed)."""
    tokens, same, lines = set(), 0, 0
    for mine, theirs in zip(read_words(ours), read_words(path)):
        tokens.update(word for word in theirs if "_" in word)
        same += mine == theirs
        lines += 1
    return tokens, same / max(lines, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=None, help="default: $W2V_DATA_DIR/corpus/wiki.txt")
    parser.add_argument("--word2phrase", default=None, metavar="PATH",
                        help="also run this word2phrase binary ('build': build it from ../shared/peers/word2vec)")
    parser.add_argument("--skip-train", action="store_true", help="do not train and evaluate on the phrased text")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        tool, corpus, out = args.worker
        print(json.dumps((run_w2v if tool == "w2v" else run_gensim)(corpus, out)))
        return
    corpus = args.corpus or str(Path(os.environ.get("W2V_DATA_DIR", "../shared/data")) / "corpus" / "wiki.txt")
    scratch = Path(tempfile.mkdtemp(prefix="w2vph-"))  # short: word2phrase keeps file names in 60 bytes
    try:
        warm = scratch / "warm.txt"  # Numba's kernels compiled (or loaded) before the timed run
        warm.write_text("a b\n" * 10)
        worker("w2v", str(warm), str(scratch / "warm-out.txt"))
        outputs = {"w2v": str(scratch / "w2v.txt"), "gensim": str(scratch / "gensim.txt"),
                   "word2phrase": str(scratch / "word2phrase.txt")}
        results = {"w2v": worker("w2v", corpus, outputs["w2v"])}
        binary = find_word2phrase(args.word2phrase, scratch)
        if binary:
            results["word2phrase"] = run_word2phrase(binary, corpus, outputs["word2phrase"])
        results["gensim"] = worker("gensim", corpus, outputs["gensim"])
        report(corpus, results, outputs)
        if not args.skip_train:
            phrase_analogies(outputs["w2v"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(corpus: str, results: dict, outputs: dict) -> None:
    tokens = sum(len(line) for line in read_words(corpus))
    print(f"corpus: {corpus} ({tokens:,} tokens); min-count {MIN_COUNT}, thresholds {THRESHOLDS}\n")
    print("| tool | seconds (2 passes) | peak MiB | speed vs gensim | phrases found, pass 1 | phrase tokens in "
          "the text | lines equal to w2v's |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    phrase_sets = {}
    for tool, result in results.items():
        phrase_sets[tool], same = compare(outputs[tool], outputs["w2v"])
        found = f"{len(result['found'][0]):,}" if result["found"] else "n/a"
        print(f"| {tool} | {result['seconds']:.1f} | {result['peak_mib']:.0f} | "
              f"{results['gensim']['seconds'] / result['seconds']:.1f}x | {found} | {len(phrase_sets[tool]):,} | "
              f"{100 * same:.2f} % |")
    ours_found, theirs_found = set(results["w2v"]["found"][0]), set(results["gensim"]["found"][0])
    print(f"\npass 1: {len(ours_found & theirs_found):,} phrases found by both w2v and gensim, "
          f"{len(ours_found - theirs_found)} by w2v only, {len(theirs_found - ours_found)} by gensim only")
    if "word2phrase" in results:
        mine, theirs = phrase_sets["w2v"], phrase_sets["word2phrase"]
        print(f"phrase tokens: {len(mine & theirs):,} in both w2v's and word2phrase's text, "
              f"{len(mine - theirs):,} in w2v's only (e.g. {sorted(mine - theirs)[:3]}), "
              f"{len(theirs - mine):,} in word2phrase's only (e.g. {sorted(theirs - mine)[:3]})")


def phrase_analogies(phrased: str) -> None:
    import w2v
    from w2v import evaluate

    start = time.perf_counter()
    wv = w2v.train(phrased, model="cbow", epochs=5, seed=1)
    seconds = time.perf_counter() - start
    questions = Path(os.environ.get("W2V_DATA_DIR", "../shared/data")) / "eval" / "questions-phrases.txt"
    result = evaluate.analogies(wv, questions, restrict_vocab=None)
    print(f"\nw2v CBOW on w2v's phrased text (5 epochs, {seconds:.0f} s, {len(wv):,} words): phrase analogies "
          f"{100 * (result.accuracy or 0):.1f} % of {result.total:,} answered ({100 * (result.coverage or 0):.0f} % "
          f"of {result.total + result.skipped:,} questions)")


if __name__ == "__main__":
    main()
