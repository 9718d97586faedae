"""Other languages' toolchains: a test that needs a missing one skips, or fails on CI.

CI machines have Go, Node.js, Java and Maven and set NEXUSPROTO_REQUIRE_INTEROP=1,
so there a missing toolchain is a failure, never a silent skip.
"""

import os
import shutil
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
