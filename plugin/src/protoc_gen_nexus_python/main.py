"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

import sys

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus_python.plugin import run


def main() -> None:
    request = plugin_pb2.CodeGeneratorRequest()
    try:
        # Parsed straight from the read, so the raw bytes (as large as the
        # request: ~100 MB for 20,000 operations) are not kept during the run.
        request.ParseFromString(sys.stdin.buffer.read())
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
