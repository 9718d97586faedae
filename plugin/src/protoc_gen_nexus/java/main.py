"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

from protoc_gen_nexus.java.plugin import run
from protoc_gen_nexus.protocol import serve

USAGE = (
    "protoc-gen-nexus-java reads a CodeGeneratorRequest on stdin; "
    "run it through protoc (--nexus-java_out=DIR) or buf generate"
)


def main() -> None:
    serve(run, USAGE)


if __name__ == "__main__":
    main()
