"""The command line every peer training script of ``throughput.py`` takes (gensim_train.py, fasttext_train.py)."""

import argparse


def parse_peer_options(hs_help: str) -> argparse.Namespace:
    """corpus, output, --model, --epochs, --workers, --min-count, --alpha, --seed, --hs (described by ``hs_help``)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("output")
    parser.add_argument("--model", choices=["cbow", "skipgram"], default="cbow")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--alpha", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1, help="gensim's seed (fastText's wheel takes none)")
    parser.add_argument("--hs", action="store_true", help=hs_help)
    return parser.parse_args()
