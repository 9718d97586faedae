"""Run in a fresh interpreter by generation.py: how long importing generated modules takes.

    python import_probe.py GENERATED_ROOT MODULE_LIST

MODULE_LIST names one module a line, `pb2 <module>` or `nexus <module>`. The
probe first imports the runtime libraries an application using the contracts
has loaded anyway (protobuf, temporalio, nexus-rpc, nexusproto), then every
listed `_pb2` module (which pulls in what they import: the other `_pb2` modules
of the tree, buf.validate's, the option protos'), then every `_nexus` module.
It prints the three durations as JSON, in seconds.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    root, listing = sys.argv[1], Path(sys.argv[2])
    sys.path.insert(0, root)
    pb2: list[str] = []
    nexus: list[str] = []
    for line in listing.read_text().splitlines():
        kind, _, module = line.partition(" ")
        (pb2 if kind == "pb2" else nexus).append(module)

    start = time.perf_counter()
    import abc  # noqa: F401
    import datetime  # noqa: F401

    import google.protobuf.message  # noqa: F401
    import nexusproto  # noqa: F401
    import nexusrpc  # noqa: F401
    import temporalio.client  # noqa: F401
    import temporalio.common  # noqa: F401
    import temporalio.nexus  # noqa: F401
    import temporalio.workflow  # noqa: F401
    import typing_extensions  # noqa: F401
    from google.protobuf import empty_pb2  # noqa: F401

    runtime = time.perf_counter()
    for module in pb2:
        importlib.import_module(module)
    pb2_done = time.perf_counter()
    for module in nexus:
        importlib.import_module(module)
    nexus_done = time.perf_counter()
    print(
        json.dumps(
            {
                "runtime": runtime - start,
                "pb2": pb2_done - runtime,
                "nexus": nexus_done - pb2_done,
                "pb2_modules": len(pb2),
                "nexus_modules": len(nexus),
            }
        )
    )


if __name__ == "__main__":
    main()
