"""A protoc plugin that saves the CodeGeneratorRequest it is sent (to argv[1]) and writes nothing.

generation.py captures the request protoc sends plugins this way, then feeds the
same bytes to protoc-gen-nexus-python and protoc-gen-mypy on their own.
"""

import sys
from pathlib import Path

from google.protobuf.compiler import plugin_pb2

Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())
sys.stdout.buffer.write(
    plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    ).SerializeToString()
)
