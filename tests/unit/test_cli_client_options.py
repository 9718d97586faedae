"""Client options named once (`nexusproto.configuration`) and on the command line of
`nexusproto call`, `result` and `describe`: `--data-converter`, `--interceptor` and
`--plugin` (MODULE:ATTRIBUTE), else `NEXUSPROTO_DATA_CONVERTER`, `NEXUSPROTO_INTERCEPTORS`
and `NEXUSPROTO_PLUGINS`; what each loads, the one-line errors (exit 64) when it cannot,
and the trace context `call` runs in. No server (the end-to-end
uses: an encrypting codec in tests/e2e/test_encryption.py, TRACEPARENT in
tests/e2e/test_tracing.py)."""

from __future__ import annotations

import dataclasses
import io
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nexusproto.converter
import opentelemetry.trace
import pytest
import temporalio.client
import temporalio.worker
from nexusproto.cli import USAGE, main
from nexusproto.cli.call import CallError, CallSettings, client_options, traced
from nexusproto.configuration import (
    ClientOptions,
    ConfigurationError,
    from_environment,
    load_data_converter,
    load_interceptors,
    load_plugins,
)
from nexusproto.tracing import TracingInterceptor
from temporalio.converter import DataConverter

GEN = Path(__file__).resolve().parents[2] / "gen"
MODULE = "nexusproto_test_team_settings"
CUSTOM = dataclasses.replace(nexusproto.converter.data_converter)
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


class Counting(temporalio.client.Interceptor):
    pass


class Failing(temporalio.client.Interceptor):
    def __init__(self) -> None:
        raise RuntimeError("needs settings")


class WorkerOnly(temporalio.worker.Interceptor):
    pass


class Teams(temporalio.client.Plugin):
    def name(self) -> str:
        return "teams"

    def configure_client(self, config: Any) -> Any:
        return config

    async def connect_service_client(self, config: Any, next: Any) -> Any:
        return await next(config)


@pytest.fixture
def team_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType(MODULE)
    module.data_converter = CUSTOM  # type: ignore[attr-defined]
    module.settings = types.SimpleNamespace(
        temporal=types.SimpleNamespace(converter=CUSTOM)
    )  # type: ignore[attr-defined]
    module.not_a_converter = "text"  # type: ignore[attr-defined]
    module.Counting = Counting  # type: ignore[attr-defined]
    module.counting = Counting()  # type: ignore[attr-defined]
    module.Failing = Failing  # type: ignore[attr-defined]
    module.WorkerOnly = WorkerOnly  # type: ignore[attr-defined]
    module.Teams = Teams  # type: ignore[attr-defined]
    sys.modules[MODULE] = module
    yield module
    del sys.modules[MODULE]


def test_the_default_is_nexusprotos_converter() -> None:
    assert load_data_converter(None) is nexusproto.converter.data_converter
    assert load_data_converter("nexusproto.converter:data_converter") is (
        nexusproto.converter.data_converter
    )
    settings = CallSettings(None, None, None, None, True, None, None, None)
    assert settings.client.data_converter is nexusproto.converter.data_converter
    assert from_environment({}) == ClientOptions(
        nexusproto.converter.data_converter, (), ()
    )


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
        (
            f"{MODULE}:not_a_converter",
            "is a str, not a temporalio.converter.DataConverter",
        ),
        (
            "no_such_module_here:x",
            "cannot import no_such_module_here: ModuleNotFoundError",
        ),
    ],
)
def test_what_cannot_be_loaded_is_a_usage_error(
    team_module: types.ModuleType, spec: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match="--data-converter") as refused:
        load_data_converter(spec)
    assert message in str(refused.value)
    with pytest.raises(CallError) as refused_by_cli:
        client_options(data_converter=spec, environ={})
    assert refused_by_cli.value.status == USAGE
    assert message in str(refused_by_cli.value)

    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["describe", "--contracts", str(GEN), "--data-converter", spec],
        stdout=out,
        stderr=err,
    )
    assert status == USAGE
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    assert line.startswith("nexusproto: --data-converter ") and message in line


def test_describe_with_a_loadable_converter_is_unchanged(
    team_module: types.ModuleType,
) -> None:
    plain, given = io.StringIO(), io.StringIO()
    assert main(["describe", "--contracts", str(GEN)], stdout=plain) == 0
    argv = [
        "describe",
        "--contracts",
        str(GEN),
        "--data-converter",
        f"{MODULE}:data_converter",
    ]
    assert main(argv, stdout=given) == 0
    assert given.getvalue() == plain.getvalue()


def test_interceptors_and_plugins_are_instances_or_classes(
    team_module: types.ModuleType,
) -> None:
    given, made = load_interceptors([f"{MODULE}:counting", f"{MODULE}:Counting"])
    assert given is team_module.counting
    assert type(made) is Counting and made is not given
    (plugin,) = load_plugins([f"{MODULE}:Teams"])
    assert isinstance(plugin, Teams)
    assert load_interceptors([]) == () and load_plugins([]) == ()


@pytest.mark.parametrize(
    ("option", "spec", "message"),
    [
        (
            "--interceptor",
            f"{MODULE}:WorkerOnly",
            "is the class WorkerOnly, not a temporalio.client.Interceptor class",
        ),
        (
            "--interceptor",
            f"{MODULE}:Teams",
            "is the class Teams, not a temporalio.client.Interceptor class",
        ),
        (
            "--interceptor",
            f"{MODULE}:Failing",
            "Failing() failed: RuntimeError: needs settings",
        ),
        (
            "--plugin",
            f"{MODULE}:counting",
            "is a Counting, not a temporalio.client.Plugin",
        ),
        ("--plugin", f"{MODULE}:missing", f"{MODULE} has no attribute missing"),
        ("--plugin", "nowhere", "expected MODULE:ATTRIBUTE"),
    ],
)
def test_interceptors_and_plugins_that_cannot_be_loaded_are_usage_errors(
    team_module: types.ModuleType, option: str, spec: str, message: str
) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["describe", "--contracts", str(GEN), option, spec], stdout=out, stderr=err
    )
    assert status == USAGE
    [line] = err.getvalue().splitlines()
    assert line.startswith(f"nexusproto: {option} {spec!r}") and message in line, line


def test_call_carries_the_trace_context_of_traceparent() -> None:
    given = Counting()
    options, trace = traced(
        ClientOptions(interceptors=(given,)),
        {"TRACEPARENT": f"00-{TRACE_ID}-{PARENT_ID}-01"},
    )
    first, added = options.interceptors
    assert first is given
    assert isinstance(added, TracingInterceptor)
    with trace:
        current = opentelemetry.trace.get_current_span().get_span_context()
        assert f"{current.trace_id:032x}" == TRACE_ID
        assert f"{current.span_id:016x}" == PARENT_ID
        assert current.is_remote
    assert not opentelemetry.trace.get_current_span().get_span_context().is_valid


def test_without_traceparent_a_call_starts_no_trace_and_keeps_a_given_tracer() -> None:
    mine = TracingInterceptor()
    options, trace = traced(ClientOptions(interceptors=(mine,)), {})
    assert options.interceptors == (mine,)
    with trace:
        assert not opentelemetry.trace.get_current_span().get_span_context().is_valid


def test_the_environment_names_them_and_options_replace_it(
    team_module: types.ModuleType,
) -> None:
    environ = {
        "NEXUSPROTO_DATA_CONVERTER": f"{MODULE}:data_converter",
        "NEXUSPROTO_INTERCEPTORS": f"{MODULE}:counting, {MODULE}:Counting",
        "NEXUSPROTO_PLUGINS": f"{MODULE}:Teams",
    }
    named = from_environment(environ)
    assert named.data_converter is CUSTOM
    assert named.interceptors[0] is team_module.counting
    assert type(named.interceptors[1]) is Counting
    (plugin,) = named.plugins
    assert isinstance(plugin, Teams)
    assert named.connect_arguments() == {
        "data_converter": CUSTOM,
        "interceptors": named.interceptors,
        "plugins": named.plugins,
    }
    given = client_options(
        data_converter="nexusproto.converter:data_converter",
        interceptors=[f"{MODULE}:counting"],
        environ=environ,
    )
    assert given.data_converter is nexusproto.converter.data_converter
    assert given.interceptors == (team_module.counting,)
    assert isinstance(given.plugins[0], Teams)  # no --plugin: the environment's


def test_a_setting_of_the_environment_that_does_not_load_is_named(
    team_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEXUSPROTO_PLUGINS", f"{MODULE}:counting")
    out, err = io.StringIO(), io.StringIO()
    assert main(["describe", "--contracts", str(GEN)], stdout=out, stderr=err) == USAGE
    [line] = err.getvalue().splitlines()
    assert line == (
        f"nexusproto: NEXUSPROTO_PLUGINS '{MODULE}:counting' is a Counting, "
        "not a temporalio.client.Plugin (nor a class of one)"
    )
