"""The protoc plugin protocol, shared by this distribution's plugins.

A request comes in on stdin, a response goes out on stdout, and every failure
becomes `CodeGeneratorResponse.error`: a located message for what the proto
author can fix, a bug report for anything else. protoc never sees a traceback.
"""

import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import __version__
from protoc_gen_nexus.errors import GenerationError

SUPPORTED_FEATURES = (
    plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    | plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
)
# Editions the plugins read: the options they need mean the same in all of them.
MINIMUM_EDITION = 998  # EDITION_PROTO2
MAXIMUM_EDITION = 1000  # EDITION_2023

BUG_REPORT = (
    "this is a bug in {program} {version}; please report it with the "
    ".proto files and parameters that trigger it. Details:\n{details}"
)

GeneratedFiles = Iterable[tuple[str, str]]
"""What a plugin writes: (path, content) pairs, produced lazily so errors surface in `respond`."""


def respond(
    program: str, produce: Callable[[], GeneratedFiles]
) -> plugin_pb2.CodeGeneratorResponse:
    """The response holding every file `produce` yields, or only the error it raised."""
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=SUPPORTED_FEATURES,
        minimum_edition=MINIMUM_EDITION,
        maximum_edition=MAXIMUM_EDITION,
    )
    try:
        for name, content in produce():
            response.file.add(name=name, content=content)
    except GenerationError as error:
        del response.file[:]
        response.error = str(error)
    except Exception:
        del response.file[:]
        response.error = BUG_REPORT.format(
            program=program, version=__version__, details=traceback.format_exc().rstrip()
        )
    return response


def serve(
    run: Callable[[plugin_pb2.CodeGeneratorRequest], plugin_pb2.CodeGeneratorResponse],
    usage: str,
) -> None:
    """Answer the request protoc writes to stdin; `usage` answers anything else.

    `--version` on the command line prints the program's name and version instead.
    """
    if sys.argv[1:] == ["--version"]:
        print(f"{Path(sys.argv[0]).name} {__version__}")
        return
    request = plugin_pb2.CodeGeneratorRequest()
    try:
        # Parsed straight from the read, so the raw bytes (as large as the
        # request: ~100 MB for 20,000 operations) are not kept during the run.
        request.ParseFromString(sys.stdin.buffer.read())
    except Exception:
        response = plugin_pb2.CodeGeneratorResponse(error=usage)
    else:
        response = run(request)
    sys.stdout.buffer.write(response.SerializeToString())
