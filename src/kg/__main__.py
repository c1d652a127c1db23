"""`kg` and `python -m kg`: the command line, started so that Ctrl-C is quiet from the first
moment.

Loading the command line imports pydantic, click and more, about a fifth of a second; a
Ctrl-C then would print a traceback from inside some library's import. Until the command
line is loaded, Ctrl-C says "interrupted" and exits 130, as it does once a command runs.
"""

import os
import signal
import sys


def _interrupted(_signum: int, _frame: object) -> None:
    # Ends the process at once: an exception raised here could land inside a library's C
    # code (pydantic builds its validators in Rust), which turns it into an error of its
    # own or swallows it. Nothing is open yet that would need cleaning up.
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> None:
    """Run the `kg` command line."""
    quiet = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if quiet:  # not if SIGINT is ignored (nohup, a background job): leave that as it is
        signal.signal(signal.SIGINT, _interrupted)
    from kg.cli import cli

    if quiet:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    cli()


if __name__ == "__main__":
    main()
