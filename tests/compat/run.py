"""`make compat`: every combination of tests/compat/environments.py, then the matrix.

Prints the Markdown table the README's "Supported versions" shows and exits
non-zero if a combination failed. COMPAT=name,name runs only those.
"""

from __future__ import annotations

import os
import sys
import time

from environments import COMBINATIONS, REPO, build_wheels, check, table


def main() -> int:
    chosen = {name for name in os.environ.get("COMPAT", "").split(",") if name}
    combinations = [c for c in COMBINATIONS if not chosen or c.name in chosen]
    root = REPO / "build" / "compat"
    started = time.monotonic()
    wheels = build_wheels(root / "dist")
    results = []
    for combination in combinations:
        print(f"[compat] {combination.name} ...", flush=True)
        result = check(combination, wheels, root)
        steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in result.steps.items())
        print(f"[compat] {combination.name}: {'passed' if result.passed else 'FAILED'} ({steps})")
        if not result.passed:
            print(result.failure, file=sys.stderr)
        results.append(result)
    print()
    print(table(results))
    print(f"\n[compat] {len(results)} combinations in {time.monotonic() - started:.0f} s")
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
