"""The fixture contract tests/fixtures/proto/longrunning, generated for the tests that run it.

Imported once per process (workflow code imports it passed through, see
`support.ledgers`): protoc with the project's plugin writes the messages and the
Nexus module into build/e2e/longrunning, which goes on the import path.
Re-exports the two modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

from support.protoc import option_include_dir, run_protoc, validate_set

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "proto"
OUT = REPO / "build" / "e2e" / "longrunning"


def _generate() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    result = run_protoc(
        [
            f"--descriptor_set_in={validate_set(OUT.parent)}",
            f"-I{FIXTURES}",
            f"-I{option_include_dir()}",
            f"--python_out={OUT}",
            f"--nexus-python_out={OUT}",
            "longrunning/v1/longrunning.proto",
        ]
    )
    if result.returncode != 0:
        raise RuntimeError(f"generating longrunning/v1/longrunning.proto failed:\n{result.stderr}")
    if str(OUT) not in sys.path:
        sys.path.insert(0, str(OUT))


_generate()

from longrunning.v1 import longrunning_nexus, longrunning_pb2  # noqa: E402

__all__ = ["longrunning_nexus", "longrunning_pb2"]
