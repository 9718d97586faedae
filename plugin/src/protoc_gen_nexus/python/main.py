"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

from protoc_gen_nexus.protocol import serve
from protoc_gen_nexus.python.plugin import run

USAGE = (
    "protoc-gen-nexus-python reads a CodeGeneratorRequest on stdin; "
    "run it through protoc (--nexus-python_out=DIR) or buf generate"
)


def main() -> None:
    serve(run, USAGE)


if __name__ == "__main__":
    main()
