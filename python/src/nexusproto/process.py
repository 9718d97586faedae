"""Ending a worker or client process without the crash the SDK's native threads can cause.

The Temporal SDK runs its network and worker machinery on native (Rust) threads
that outlive the event loop and the objects using them. When the interpreter
tears itself down at exit while one of those threads takes the GIL, CPython
aborts the process ("Fatal Python error: PyGILState_Release: thread state ...
must be current when releasing", status -6), after all the work was done. A
deploy or a supervisor then sees a crash where there was a clean stop; with the
SDK versions this project pins, the reliability scenarios saw it in about one
exit in five. `run` avoids the teardown: it runs the program's main coroutine,
finishes what exit normally finishes (atexit handlers, logging, standard
streams), then ends the process at once with the program's status.

    if __name__ == "__main__":
        nexusproto.process.run(main())
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sys
import traceback
from collections.abc import Coroutine
from typing import Any, NoReturn


def run(main: Coroutine[Any, Any, object]) -> NoReturn:
    """`asyncio.run(main)`, then exit with its result as the status, as `sys.exit` would.

    The status is 0 for None, the value for an int, and 1 (after printing it)
    for anything else; an uncaught exception prints its traceback and gives 1,
    KeyboardInterrupt gives 130.
    """
    try:
        result = asyncio.run(main)
    except SystemExit as exit:
        result = exit.code
    except KeyboardInterrupt:
        result = 130
    except BaseException:  # noqa: BLE001 - reported like the interpreter would
        traceback.print_exc()
        result = 1
    exit_now(result)


def exit_now(result: object = 0) -> NoReturn:
    """End the process with `result` as `sys.exit` would, skipping interpreter teardown."""
    if result is None:
        status = 0
    elif isinstance(result, int):
        status = result
    else:
        print(result, file=sys.stderr)
        status = 1
    try:
        atexit._run_exitfuncs()
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    finally:
        os._exit(status)
