"""Where the option .proto files are, for protoc's `-I` and buf.

protoc -I "$(python -m nexusproto.include)" -I proto ...
"""

from pathlib import Path

INCLUDE_DIR = Path(__file__).resolve().parent / "proto"
"""Directory holding `nexusannotations/v1/options.proto` and `nexusproto/v1/options.proto`."""


def main() -> None:
    print(INCLUDE_DIR)


if __name__ == "__main__":
    main()
