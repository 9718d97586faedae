"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

from protoc_gen_nexus_python.plugin import run
from protoc_gen_nexus_python.protocol import serve

USAGE = (
    "protoc-gen-nexus-python reads a CodeGeneratorRequest on stdin; "
    "run it through protoc (--nexus-python_out=DIR) or buf generate"
)


def main() -> None:
    serve(run, USAGE)


if __name__ == "__main__":
    main()
