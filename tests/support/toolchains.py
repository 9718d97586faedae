"""Other languages' toolchains: a test that needs a missing one skips, or fails on CI.

CI machines have Go, Node.js, Java and Maven and set NEXUSPROTO_REQUIRE_INTEROP=1,
so there a missing toolchain is a failure, never a silent skip.
"""

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_INTEROP = "NEXUSPROTO_REQUIRE_INTEROP"


def missing_toolchain(message: str) -> NoReturn:
    """Skip with `message`, or fail with it when NEXUSPROTO_REQUIRE_INTEROP=1."""
    if os.environ.get(REQUIRE_INTEROP) == "1":
        pytest.fail(f"{message}; {REQUIRE_INTEROP}=1 requires them")
    pytest.skip(f"{message} (set {REQUIRE_INTEROP}=1 to fail instead)")


def require_go() -> str:
    """The `go` command, for tests that build or run Go."""
    go = shutil.which("go")
    if go is None:
        missing_toolchain(
            "the Go toolchain is not installed (`go` is not on PATH): the Go tests need "
            "Go 1.26+ and, once, the Go module proxy"
        )
    return go


# Not Path.resolve: test modules that import this one are imported again inside the
# workflow sandbox, which refuses it (__file__ is absolute already).
GO_BIN = Path(__file__).parents[2] / "build" / "go" / "bin"
"""Where Go tools the tests use are installed, at pinned versions (kept between runs)."""


def go_tool(name: str, package: str) -> Path:
    """The Go tool `name` in build/go/bin, installed from `package@version` when missing."""
    path = GO_BIN / name
    if not path.exists():
        GO_BIN.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GOBIN": str(GO_BIN), "GOFLAGS": "-mod=mod"}
        result = subprocess.run(
            [require_go(), "install", package],
            cwd=GO_BIN,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"go install {package}:\n{result.stdout}{result.stderr}"
    return path
