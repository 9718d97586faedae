"""`--data-converter MODULE:ATTRIBUTE` of `nexusproto call`, `result` and `describe`:
which converter it loads, and the one-line errors (exit 64) when it cannot. No server
(the end-to-end use, with an encrypting codec, is in tests/e2e/test_encryption.py)."""

from __future__ import annotations

import dataclasses
import io
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.converter import DataConverter

import nexusproto.converter
from nexusproto.cli import USAGE, main
from nexusproto.cli.call import CallError, CallSettings, load_data_converter

GEN = Path(__file__).resolve().parents[2] / "gen"
MODULE = "nexusproto_test_team_settings"
CUSTOM = dataclasses.replace(nexusproto.converter.data_converter)


@pytest.fixture
def team_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType(MODULE)
    module.data_converter = CUSTOM  # type: ignore[attr-defined]
    module.settings = types.SimpleNamespace(temporal=types.SimpleNamespace(converter=CUSTOM))  # type: ignore[attr-defined]
    module.not_a_converter = "text"  # type: ignore[attr-defined]
    sys.modules[MODULE] = module
    yield module
    del sys.modules[MODULE]


def test_the_default_is_nexusprotos_converter() -> None:
    assert load_data_converter(None) is nexusproto.converter.data_converter
    assert load_data_converter("nexusproto.converter:data_converter") is (
        nexusproto.converter.data_converter
    )
    settings = CallSettings(None, None, None, None, True, None, None, None)
    assert settings.data_converter is nexusproto.converter.data_converter


def test_a_module_attribute_dotted_or_not(team_module: types.ModuleType) -> None:
    assert load_data_converter(f"{MODULE}:data_converter") is CUSTOM
    assert load_data_converter(f"{MODULE}:settings.temporal.converter") is CUSTOM
    assert isinstance(CUSTOM, DataConverter)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (MODULE, "expected MODULE:ATTRIBUTE"),
        (f"{MODULE}:", "expected MODULE:ATTRIBUTE"),
        (":data_converter", "expected MODULE:ATTRIBUTE"),
        (f"{MODULE}:missing", f"{MODULE} has no attribute missing"),
        (f"{MODULE}:not_a_converter", "is a str, not a temporalio.converter.DataConverter"),
        ("no_such_module_here:x", "cannot import no_such_module_here: ModuleNotFoundError"),
    ],
)
def test_what_cannot_be_loaded_is_a_usage_error(
    team_module: types.ModuleType, spec: str, message: str
) -> None:
    with pytest.raises(CallError) as refused:
        load_data_converter(spec)
    assert refused.value.status == USAGE
    assert message in str(refused.value)

    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["describe", "--contracts", str(GEN), "--data-converter", spec], stdout=out, stderr=err
    )
    assert status == USAGE
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    assert line.startswith("nexusproto: --data-converter ") and message in line


def test_describe_with_a_loadable_converter_is_unchanged(team_module: types.ModuleType) -> None:
    plain, given = io.StringIO(), io.StringIO()
    assert main(["describe", "--contracts", str(GEN)], stdout=plain) == 0
    argv = ["describe", "--contracts", str(GEN), "--data-converter", f"{MODULE}:data_converter"]
    assert main(argv, stdout=given) == 0
    assert given.getvalue() == plain.getvalue()
