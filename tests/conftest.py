"""Session-wide test setup.

* `gen/` (written by `make generate`) goes on `sys.path`, so tests import the
  generated contracts as `payments.v1.payments_pb2`, `payments.v1.payments_nexus`, ...
* `dev_server`: one real Temporal dev server for the whole session, started lazily
  by the first test that asks for it. Tests are plain sync functions that run their
  async body with `asyncio.run(...)` and connect clients there with
  `support.temporal.connect(dev_server, namespace)`; see `tests/support/temporal.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import nexusproto.process

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
GEN_DIR = REPO_ROOT / "gen"

if not GEN_DIR.is_dir() or not any(GEN_DIR.rglob("*_pb2.py")):
    raise pytest.UsageError(
        f"Generated code is missing from {GEN_DIR}: run `make generate` first "
        "(or `make test`, which runs it)."
    )
# gen/ for the generated contracts; tests/ for `support` (even with
# --import-mode=importlib, which does not add test directories to sys.path).
for path in (str(GEN_DIR), str(TESTS_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

from support.temporal import DevServer, start_dev_server  # noqa: E402


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A Temporal dev server on a free local port, shared by the session.

    Namespaces "default", "payments" and "orders" exist; standalone Nexus operations
    are enabled. Its log is in the session's temp directory (`dev_server.log_path`).
    """
    server = start_dev_server(tmp_path_factory.mktemp("temporal"))
    try:
        yield server
    finally:
        server.stop()


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End pytest without interpreter teardown once everything is reported.

    The tests run the Temporal SDK in this process; its native threads can abort
    the interpreter's teardown (see `nexusproto.process`), which would turn a
    passing run into a failing status.
    """
    if _exit_status:
        nexusproto.process.exit_now(_exit_status[-1])
