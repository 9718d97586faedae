"""Console entry point of protoc-gen-nexus-docs: protoc writes a CodeGeneratorRequest to stdin."""

from protoc_gen_nexus.docs.plugin import PROGRAM, run
from protoc_gen_nexus.protocol import serve

USAGE = (
    f"{PROGRAM} reads a CodeGeneratorRequest on stdin; "
    "run it through protoc (--nexus-docs_out=DIR) or buf generate"
)


def main() -> None:
    serve(run, USAGE)


if __name__ == "__main__":
    main()
