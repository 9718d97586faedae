"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

import sys

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus_python.plugin import run


def main() -> None:
    data = sys.stdin.buffer.read()
    request = plugin_pb2.CodeGeneratorRequest()
    try:
        request.ParseFromString(data)
    except Exception:
        response = plugin_pb2.CodeGeneratorResponse(
            error="protoc-gen-nexus-python reads a CodeGeneratorRequest on stdin; "
            "run it through protoc (--nexus-python_out=DIR) or buf generate"
        )
    else:
        response = run(request)
    sys.stdout.buffer.write(response.SerializeToString())


if __name__ == "__main__":
    main()
