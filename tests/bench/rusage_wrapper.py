"""Run a command and write its wall time, CPU time and peak memory (JSON) to a file.

    python rusage_wrapper.py RESULT.json COMMAND [ARG...]

Why a wrapper: Linux keeps a process's peak RSS across exec, so a child forked
from the (large) benchmark process would report at least the benchmark's own
size. Forked from this small process instead, the command's ru_maxrss is its
own. Resource usage comes from wait4(), which covers the command and the
children it waited for (protoc waits for its plugin). stdin, stdout and stderr
are the command's.
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    result_path, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(result_path, "w") as out:
        json.dump(
            {
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "max_rss_kib": usage.ru_maxrss,
                "returncode": proc.returncode,
            },
            out,
        )
    sys.exit(0 if proc.returncode == 0 else 1)


if __name__ == "__main__":
    main()
