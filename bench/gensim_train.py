"""Train gensim's Word2Vec from a text file (corpus_file mode) and save word2vec binary vectors.

A helper of ``throughput.py``, run as its own process so that its time and memory are
measured whole. Prints one JSON line: vocabulary and training seconds.

gensim's corpus_file mode decays the learning rate per worker against the whole corpus: with
W workers alpha only falls to about 1 - 1/W of the way by the end of an epoch.
"""

import json
import time

from gensim.models import Word2Vec

from peer_options import parse_peer_options


def main() -> None:
    args = parse_peer_options("hierarchical softmax, no negatives (hs=1, negative=0)")
    model = Word2Vec(vector_size=100, window=5, negative=0 if args.hs else 5, hs=int(args.hs), sample=1e-3,
                     min_count=args.min_count,
                     workers=args.workers, sg=int(args.model == "skipgram"), alpha=args.alpha,
                     min_alpha=args.alpha * 1e-4, seed=args.seed)
    start = time.perf_counter()
    model.build_vocab(corpus_file=args.corpus)
    vocab_s = time.perf_counter() - start
    start = time.perf_counter()
    model.train(corpus_file=args.corpus, total_words=model.corpus_total_words, epochs=args.epochs)
    train_s = time.perf_counter() - start
    model.wv.save_word2vec_format(args.output, binary=True)
    print(json.dumps({"vocab_seconds": vocab_s, "train_seconds": train_s}))


if __name__ == "__main__":
    main()
