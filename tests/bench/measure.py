"""Shared pieces of the benchmarks: paths, timed child processes, statistics, tables."""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TESTS_DIR = BENCH_DIR.parent
REPO = TESTS_DIR.parent
GEN_DIR = REPO / "gen"
BUILD_DIR = REPO / "build" / "bench"
BIN = Path(sys.executable).parent
"""The venv's bin/: protoc, the plugins and the temporal CLI, as `make setup` installs them."""


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `make setup` (or `make bench`, which does)")
    return str(path)


def validate_set() -> Path:
    """buf/validate/validate.proto's descriptors, for protoc offline (as `make generate` does)."""
    path = BUILD_DIR / "validate.binpb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "nexusproto.validate_descriptors", str(path)], check=True
        )
    return path


def scratch_dir(name: str) -> Path:
    """A fresh directory for generated output: in memory (/dev/shm) when there is one.

    Every tool writes its output to the same kind of directory, so no tool pays
    disk writes the others do not; a RAM-backed one keeps disk noise out.
    """
    base = Path(os.environ.get("BENCH_TMP", "/dev/shm"))
    if not base.is_dir() or not os.access(base, os.W_OK):
        base = Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix=f"nexus-bench-{name}-", dir=base))


def tool_env() -> dict[str, str]:
    """The environment every measured process runs in.

    The venv's bin/ comes first, so protoc finds the plugins. Python may write
    bytecode caches (PYTHONDONTWRITEBYTECODE is dropped): an installed plugin or
    application runs from cached bytecode, so a measurement should too, and
    without the caches every run would compile the modules it imports.
    """
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass(frozen=True)
class Run:
    """One child process: wall time, CPU time (its own and its waited-for children's), peak RSS."""

    wall: float
    cpu: float
    max_rss_mib: float


def run_timed(
    argv: Sequence[str],
    *,
    stdin_path: Path | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run `argv` to completion, timed; raise with its stderr if it fails.

    The command runs under rusage_wrapper.py (see there why), which times it from
    its start to wait4() returning and reads its resource usage: CPU time includes
    the children it waited for (protoc's plugin), and ru_maxrss is the larger of the
    peaks of the command and those children.
    """
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "rusage.json"
        errors = Path(tmp) / "stderr.txt"
        with (
            open(errors, "wb") as err,
            open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as stdin,
        ):
            code = subprocess.run(
                [sys.executable, str(BENCH_DIR / "rusage_wrapper.py"), str(result), *argv],
                stdin=stdin,
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd=cwd,
                env=tool_env(),
                check=False,
            ).returncode
        if code != 0:
            message = errors.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{argv[0]} failed ({code}):\n{message}")
        found = json.loads(result.read_text())
    return Run(found["wall"], found["cpu"], found["max_rss_kib"] / 1024)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 = the value 95 % of samples are at or below)."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def bootstrap_ratio_ci(
    numerator: Sequence[float], denominator: Sequence[float], *, rounds: int = 2000
) -> tuple[float, float]:
    """95 % bootstrap interval of median(numerator) / median(denominator)."""
    rng = random.Random(6)
    ratios = []
    for _ in range(rounds):
        a = [rng.choice(numerator) for _ in numerator]
        b = [rng.choice(denominator) for _ in denominator]
        ratios.append(statistics.median(a) / statistics.median(b))
    ratios.sort()
    return ratios[int(0.025 * rounds)], ratios[int(0.975 * rounds) - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        all(_looks_numeric(row[i]) for row in cells[1:]) and len(cells) > 1
        for i in range(len(headers))
    ]

    def line(row: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                row[i].rjust(widths[i]) if numeric[i] else row[i].ljust(widths[i])
                for i in range(len(row))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(
            ("-" * (widths[i] + 1)) + (":" if numeric[i] else "-") for i in range(len(headers))
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace("×", "").replace("%", "").strip()
    for unit in (" s", " ms", " µs", " MiB", "/s"):
        stripped = stripped.removesuffix(unit)
    try:
        float(stripped)
    except ValueError:
        return text in ("-", "n/a")
    return True


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.2f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"
