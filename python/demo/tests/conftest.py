"""The demo teams' tests: the generated contracts (gen/) and the demo package on the path.

They use nexusproto's pytest plugin (the `nexus_environment` fixture) and
`nexusproto.testing`; `make test` runs them with the rest of the suite.
"""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
# Contracts generated elsewhere and already on the path (`make compat` generates
# them with each environment's own protoc) are used as they are.
for module, path in (("payments", REPO / "gen"), ("orders_payments", REPO / "python" / "demo")):
    if importlib.util.find_spec(module) is None and str(path) not in sys.path:
        sys.path.insert(0, str(path))
