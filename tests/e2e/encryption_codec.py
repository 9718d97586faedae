"""The documented encryption recipe, run as the encryption tests' converter.

The documentation ("Encrypt payloads") gives teams one module, `team_temporal.py`:
an AES-256-GCM `PayloadCodec` (from the `cryptography` package) composed with
`nexusproto.converter.data_converter`. The page includes it from
docs/examples/encryption/team_temporal.py; this module runs that very file, so the
tests exercise exactly what teams copy, and a change to the recipe that breaks it
fails here. The recipe reads its key from `PAYLOAD_KEY_ID` and `PAYLOAD_KEY_HEX`;
a fixed test key is set where they are not.

Importable without other side effects: the CLI loads `encryption_codec:data_converter`
with `--data-converter` (the test passes the same key in the environment).
"""

from __future__ import annotations

import hashlib
import os
import types
from pathlib import Path

from temporalio.converter import DataConverter

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
RECIPE = EXAMPLES / "encryption" / "team_temporal.py"
KEY_ID = "test-key-1"
KEY = hashlib.sha256(b"nexusproto encryption tests: not a secret").digest()


def recipe_source() -> str:
    """The documented `team_temporal.py`, as the page shows it."""
    return RECIPE.read_text(encoding="utf-8")


def _load() -> types.ModuleType:
    os.environ.setdefault("PAYLOAD_KEY_ID", KEY_ID)
    os.environ.setdefault("PAYLOAD_KEY_HEX", KEY.hex())
    module = types.ModuleType("team_temporal")
    module.__file__ = str(RECIPE)
    exec(compile(recipe_source(), str(RECIPE), "exec"), module.__dict__)  # noqa: S102
    return module


team_temporal = _load()
ENCODING: bytes = team_temporal.ENCODING
"""The `encoding` metadata of a sealed payload (what the history shows)."""
data_converter: DataConverter = team_temporal.data_converter
"""The recipe's converter: what both teams pass to `Client.connect`."""
