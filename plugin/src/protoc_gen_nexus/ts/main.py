"""Console entry point: protoc writes a CodeGeneratorRequest to stdin."""

from protoc_gen_nexus.protocol import serve
from protoc_gen_nexus.ts.plugin import run

USAGE = (
    "protoc-gen-nexus-ts reads a CodeGeneratorRequest on stdin; "
    "run it through protoc (--nexus-ts_out=DIR) or buf generate"
)


def main() -> None:
    serve(run, USAGE)


if __name__ == "__main__":
    main()
