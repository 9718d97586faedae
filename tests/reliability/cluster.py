"""Real processes for the reliability scenarios: a dev server on a database file, and workers.

Every process here is started by this module and stopped by it, by its own pid:
SIGKILL for a fault (what an out-of-memory kill or a lost machine does), SIGTERM
for the orderly end of a scenario, after which a worker must have exited with
status 0 and without a fatal error in its log (a crash at interpreter exit is a
failure, not noise).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from team import read_journal
from temporalio.api.nexus.v1 import EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import CreateNexusEndpointRequest
from temporalio.client import Client

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEMO_DIR = REPO / "python" / "demo"
if str(DEMO_DIR) not in sys.path:
    sys.path.insert(0, str(DEMO_DIR))

from nexusproto.testing import DEV_SERVER_SETTINGS  # noqa: E402
from orders_payments.local_server import LocalServer, start_local_server  # noqa: E402

NAMESPACES = ("payments", "orders")
# What nexusproto.testing's server runs with (standalone operations, update and
# activity callbacks). Everything else is the server's default: a start lost with a
# killed worker is retried after the default request timeout (10 s). Shortening it
# was tried and is a trap: with 4 s, handlers taking 2 s were cut off and retried
# with growing backoff, the first operations of a burst up to 7 times.
DYNAMIC_CONFIG = dict(DEV_SERVER_SETTINGS)
READY_TIMEOUT_SECONDS = 60.0
FATAL_MARKERS = ("Fatal Python error", "Segmentation fault", "core dumped", "Traceback")


class ScenarioError(AssertionError):
    pass


@dataclass
class Server:
    """`temporal server start-dev` on a SQLite file, restartable on the same port and file."""

    workdir: Path
    persistent: bool = True
    """On a database file (restartable) or in memory (for load: no restart, less I/O)."""
    port: int | None = None
    local: LocalServer | None = None
    starts: int = 0
    kills: int = 0

    @property
    def db_path(self) -> Path:
        return self.workdir / "temporal.db"

    @property
    def target(self) -> str:
        assert self.local is not None
        return self.local.target

    @property
    def pid(self) -> int:
        assert self.local is not None
        return self.local.process.pid

    async def start(self) -> None:
        self.local = await start_local_server(
            NAMESPACES,
            DYNAMIC_CONFIG,
            log_path=self.workdir / "temporal.log",
            extra_args=["--db-filename", str(self.db_path)] if self.persistent else [],
            port=self.port,
        )
        self.port = self.local.port
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL the server process; its database file stays."""
        assert self.local is not None and self.persistent
        self.local.process.kill()
        self.local.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.local is not None:
            self.local.stop(keep_log=True)


@dataclass
class WorkerProcess:
    """One `worker.py` process; `start` again after `kill` gives a new process."""

    role: str
    name: str
    server: Server
    namespace: str
    task_queue: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    pids: list[int] = field(default_factory=list)

    @property
    def journal(self) -> Path:
        return self.workdir / f"{self.name}.journal"

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def records(self) -> list[dict[str, Any]]:
        return read_journal(str(self.journal))

    async def start(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO / "gen"), str(REPO / "tests")]),
            "RELIABILITY_JOURNAL": str(self.journal),
            **self.env,
        }
        with open(self.log, "ab") as log:
            log.write(f"--- start {self.starts + 1}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "worker.py"),
                    self.role,
                    "--target",
                    self.server.target,
                    "--namespace",
                    self.namespace,
                    "--task-queue",
                    self.task_queue,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.starts += 1
        self.pids.append(self.process.pid)
        await self._wait_ready(self.process.pid)

    async def _wait_ready(self, pid: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not any(r["e"] == "ready" and r["pid"] == pid for r in self.records()):
            assert self.process is not None
            if self.process.poll() is not None:
                raise ScenarioError(
                    f"{self.role} worker exited with {self.process.returncode} before it "
                    f"was ready; see {self.log}"
                )
            if time.monotonic() > deadline:
                raise ScenarioError(f"{self.role} worker not ready in time; see {self.log}")
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL this worker process (by its pid) and reap it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def memory_kib(self) -> tuple[int, int]:
        """(current RSS, peak RSS) of the running process, in KiB."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
        return fields["VmRSS"], fields["VmHWM"]

    def stop(self) -> None:
        """SIGTERM, wait for a clean exit; anything else is a failure."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise ScenarioError(
                f"{self.role} worker did not stop on SIGTERM; see {self.log}"
            ) from None
        text = self.log.read_text(errors="replace")
        last_run = text.rsplit("--- start ", 1)[-1]
        fatal = [marker for marker in FATAL_MARKERS if marker in last_run]
        if code != 0 or fatal:
            raise ScenarioError(
                f"{self.role} worker (pid {self.process.pid}) ended with status {code}"
                f"{' and ' + ', '.join(fatal) if fatal else ''}; see {self.log}"
            )


@dataclass
class Cluster:
    """A server, the endpoint(s) to the payments workers, and every process started."""

    workdir: Path
    server: Server
    workers: list[WorkerProcess] = field(default_factory=list)

    @classmethod
    async def start(cls, workdir: Path, *, persistent: bool = True) -> Cluster:
        workdir.mkdir(parents=True, exist_ok=True)
        for stale in workdir.iterdir():
            if stale.is_file():
                stale.unlink()
        server = Server(workdir, persistent)
        await server.start()
        return cls(workdir, server)

    async def client(self, namespace: str) -> Client:
        return await Client.connect(self.server.target, namespace=namespace)

    async def endpoint(self, name: str, task_queue: str) -> str:
        client = await self.client("payments")
        await client.operator_service.create_nexus_endpoint(
            CreateNexusEndpointRequest(
                spec=EndpointSpec(
                    name=name,
                    target=EndpointTarget(
                        worker=EndpointTarget.Worker(namespace="payments", task_queue=task_queue)
                    ),
                )
            )
        )
        return name

    async def worker(
        self,
        role: str,
        task_queue: str,
        *,
        env: dict[str, str] | None = None,
        name: str | None = None,
    ) -> WorkerProcess:
        namespace = "orders" if role == "orders" else "payments"
        process = WorkerProcess(
            role, name or role, self.server, namespace, task_queue, self.workdir, env or {}
        )
        self.workers.append(process)
        await process.start()
        return process

    def stop(self, *, check: bool = True) -> None:
        """Stop every worker (SIGTERM, clean exit checked) and then the server."""
        failures = []
        for process in self.workers:
            try:
                process.stop()
            except ScenarioError as err:
                failures.append(str(err))
        self.server.stop()
        if failures and check:
            raise ScenarioError("; ".join(failures))


def count_by(records: Sequence[dict[str, Any]], event: str, key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        if record["e"] == event:
            counts[record[key]] = counts.get(record[key], 0) + 1
    return counts
