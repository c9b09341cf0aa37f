"""Cut the first ~40 MB of wiki.txt (whole lines) into bench/data/wiki40.txt, with the
analogy questions beside it, so that the GPU machine (which gets at most 64 MiB carried)
has what bench/gpu.py needs.

    W2V_DATA_DIR=../shared/data python bench/prepare_wiki_slice.py [--megabytes 40]
"""

import argparse
import os
import shutil
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=40)
    args = parser.parse_args()
    data = Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))
    out = HERE / "data"
    (out / "eval").mkdir(parents=True, exist_ok=True)
    limit = args.megabytes * 10**6
    with open(data / "corpus" / "wiki.txt", "rb") as source, open(out / "wiki40.txt", "wb") as target:
        written = 0
        for line in source:
            if written + len(line) > limit:
                break
            target.write(line)
            written += len(line)
    shutil.copy(data / "eval" / "questions-words.txt", out / "eval" / "questions-words.txt")
    print(f"wrote {out / 'wiki40.txt'} ({written:,} bytes) and {out / 'eval' / 'questions-words.txt'}")


if __name__ == "__main__":
    main()
