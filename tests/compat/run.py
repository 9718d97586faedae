"""`make compat`: every combination of tests/compat/environments.py, then the matrix.

Builds both distributions once, serves them from one local package index for
the whole run (stopped at the end), installs them by name into each
combination's virtualenv, prints the Markdown table that
docs/content/reference/versions.md shows and exits non-zero if a combination
failed. COMPAT=name,name runs only those.
"""

from __future__ import annotations

import os
import sys
import time

from environments import (
    COMBINATIONS,
    REPO,
    LocalIndex,
    build_distributions,
    check,
    table,
)


def main() -> int:
    chosen = {name for name in os.environ.get("COMPAT", "").split(",") if name}
    combinations = [c for c in COMBINATIONS if not chosen or c.name in chosen]
    root = REPO / "build" / "compat"
    started = time.monotonic()
    distributions = build_distributions(root / "dist")
    results = []
    with LocalIndex(root / "dist") as index:
        names = ", ".join(path.name for path in distributions)
        print(
            f"[compat] local index {index.url} (pid {index.process.pid}): {names}",
            flush=True,
        )
        for combination in combinations:
            print(f"[compat] {combination.name} ...", flush=True)
            result = check(combination, index, root)
            steps = ", ".join(
                f"{step} {seconds:.0f} s" for step, seconds in result.steps.items()
            )
            outcome = "passed" if result.passed else "FAILED"
            print(f"[compat] {combination.name}: {outcome} ({steps})")
            if not result.passed:
                print(result.failure, file=sys.stderr)
            results.append(result)
    print()
    print(table(results))
    print(
        f"\n[compat] {len(results)} combinations in {time.monotonic() - started:.0f} s"
    )
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
