"""Hypothesis profiles shared by the property tests.

`ci` (the default, `make test`) is bounded and repeatable; `fuzz`
(`HYPOTHESIS_PROFILE=fuzz`, `make fuzz`) is random and keeps failures in
`.venv/hypothesis/` to replay them first. FUZZ_EXAMPLES scales the fuzz counts.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from support.protoc import REPO

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile(
    "fuzz",
    database=DirectoryBasedExampleDatabase(str(REPO / ".venv" / "hypothesis")),
    **_COMMON,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3000"))


def examples(ci: int, fuzz: int) -> int:
    """Examples per test: `ci` in the bounded profile, `fuzz` when fuzzing."""
    return ci if PROFILE != "fuzz" else max(1, fuzz)
