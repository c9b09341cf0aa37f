"""The ``w2v`` command: ``python -m w2v`` and the installed script both start here.

Importing the command line takes about half a second (NumPy, Numba). A Ctrl-C then would end
in Python's traceback, before the command line's own signal handling is installed, or be lost
where it lands in one of the import system's callbacks, which ignore exceptions. So while the
command line is imported, SIGINT is only noted; if it came, the command stops in one line.
"""

import signal
import sys

INTERRUPTED = 130  # 128 + SIGINT, as the command line's own handling exits


def main() -> int:
    noted = []
    note = signal.getsignal(signal.SIGINT) is signal.default_int_handler  # not where the shell ignores it
    if note:
        signal.signal(signal.SIGINT, lambda *_: noted.append(True))
    try:
        from .cli import main as run
    finally:
        if note:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if noted:
            raise KeyboardInterrupt
        return run()
    except KeyboardInterrupt:  # before the command line installed its handling
        print("w2v: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
