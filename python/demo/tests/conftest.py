"""The demo teams' tests: the generated contracts (gen/) and the demo package on the path.

They use nexusproto's pytest plugin (the `nexus_environment` fixture) and
`nexusproto.testing`; `make test` runs them with the rest of the suite.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
for path in (REPO / "gen", REPO / "python" / "demo"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
