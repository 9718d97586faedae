"""Run by generation.py: where the plugin's time goes on a captured CodeGeneratorRequest.

    python plugin_phases.py REQUEST.bin

Does what `protoc-gen-nexus-python` does (protoc_gen_nexus.python.main and
.plugin.run), phase by phase, and prints the durations as JSON, in seconds:
importing the plugin, parsing the request, resolving it into the model,
writing the Python source, building and serializing the response. Interpreter
start-up is measured separately by the caller (`python -c pass`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

start = time.perf_counter()
from google.protobuf.compiler import plugin_pb2  # noqa: E402

from protoc_gen_nexus.python import plugin  # noqa: E402, F401
from protoc_gen_nexus.python.generators import generate_file  # noqa: E402
from protoc_gen_nexus.parameters import parse_parameters  # noqa: E402
from protoc_gen_nexus.python.resolve import resolve  # noqa: E402

imported = time.perf_counter()


def main() -> None:
    data = Path(sys.argv[1]).read_bytes()
    t0 = time.perf_counter()
    request = plugin_pb2.CodeGeneratorRequest()
    request.ParseFromString(data)
    del data
    t1 = time.perf_counter()
    files = resolve(request, parse_parameters(request.parameter))
    t2 = time.perf_counter()
    contents = [(file.output_path, generate_file(file)) for file in files]
    t3 = time.perf_counter()
    response = plugin_pb2.CodeGeneratorResponse()
    for name, content in contents:
        response.file.add(name=name, content=content)
    out = response.SerializeToString()
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "import": imported - start,
                "read": t0 - imported,
                "parse": t1 - t0,
                "resolve": t2 - t1,
                "generate": t3 - t2,
                "response": t4 - t3,
                "output_bytes": sum(len(c) for _, c in contents),
                "response_bytes": len(out),
            }
        )
    )


if __name__ == "__main__":
    main()
