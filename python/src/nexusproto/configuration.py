"""Client options named once, for every entry point: converter, interceptors, plugins.

A team that encrypts payloads or traces its calls connects every client the same
way. Temporal's environment configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_API_KEY`,
profiles) says where to connect; these variables say how payloads are encoded and
what wraps the client, each as `MODULE:ATTRIBUTE` (the attribute possibly dotted):

    NEXUSPROTO_DATA_CONVERTER=team_temporal:data_converter
    NEXUSPROTO_INTERCEPTORS=temporalio.contrib.opentelemetry:TracingInterceptor,...
    NEXUSPROTO_PLUGINS=team_temporal:plugin,...

An interceptor or plugin is an instance, or a class made with no arguments. The
`nexusproto` command line reads them (its `--data-converter`, `--interceptor` and
`--plugin` take precedence), and so does the demo; application code can too:

    options = nexusproto.configuration.from_environment()
    client = await Client.connect(address, namespace=..., **options.connect_arguments())
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from temporalio.client import Interceptor, Plugin
from temporalio.converter import DataConverter

from nexusproto import converter

__all__ = [
    "DATA_CONVERTER",
    "INTERCEPTORS",
    "PLUGINS",
    "ClientOptions",
    "ConfigurationError",
    "from_environment",
    "load_data_converter",
    "load_interceptors",
    "load_plugins",
]

DATA_CONVERTER = "NEXUSPROTO_DATA_CONVERTER"
INTERCEPTORS = "NEXUSPROTO_INTERCEPTORS"
PLUGINS = "NEXUSPROTO_PLUGINS"
DEFAULT_DATA_CONVERTER = "nexusproto.converter:data_converter"


class ConfigurationError(ValueError):
    """A setting that does not load; the message names the setting and what is wrong."""


@dataclass(frozen=True)
class ClientOptions:
    """What every client of a team is connected with."""

    data_converter: DataConverter = converter.data_converter
    interceptors: tuple[Interceptor, ...] = ()
    plugins: tuple[Plugin, ...] = ()

    def connect_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `temporalio.client.Client.connect`."""
        return {
            "data_converter": self.data_converter,
            "interceptors": self.interceptors,
            "plugins": self.plugins,
        }


def from_environment(
    environ: Mapping[str, str] | None = None,
    *,
    data_converter: str | None = None,
    interceptors: Sequence[str] | None = None,
    plugins: Sequence[str] | None = None,
) -> ClientOptions:
    """The options the environment names; each argument given replaces its variable.

    Nothing set gives `nexusproto.converter.data_converter`, no interceptors and
    no plugins. Raises `ConfigurationError` for a setting that does not load.
    """
    env = os.environ if environ is None else environ
    converter_spec, converter_source = data_converter, "--data-converter"
    if converter_spec is None:
        converter_spec, converter_source = env.get(DATA_CONVERTER) or None, DATA_CONVERTER
    return ClientOptions(
        load_data_converter(converter_spec, converter_source),
        load_interceptors(*_specs(interceptors, "--interceptor", env, INTERCEPTORS)),
        load_plugins(*_specs(plugins, "--plugin", env, PLUGINS)),
    )


def _specs(
    given: Sequence[str] | None, option: str, env: Mapping[str, str], variable: str
) -> tuple[Sequence[str], str]:
    if given:
        return given, option
    return [spec.strip() for spec in env.get(variable, "").split(",") if spec.strip()], variable


def load_data_converter(spec: str | None, source: str = "--data-converter") -> DataConverter:
    """The `DataConverter` that `spec` names; None gives nexusproto's converter."""
    if spec is None:
        return converter.data_converter
    found = _named(source, spec)
    if not isinstance(found, DataConverter):
        raise ConfigurationError(
            f"{source} {spec!r} is a {type(found).__name__}, not a "
            "temporalio.converter.DataConverter"
        )
    return found


def load_interceptors(
    specs: Sequence[str], source: str = "--interceptor"
) -> tuple[Interceptor, ...]:
    """Client interceptors, in the order given."""
    return tuple(
        _instance(source, spec, Interceptor, "temporalio.client.Interceptor") for spec in specs
    )


def load_plugins(specs: Sequence[str], source: str = "--plugin") -> tuple[Plugin, ...]:
    """Client plugins, in the order given."""
    return tuple(_instance(source, spec, Plugin, "temporalio.client.Plugin") for spec in specs)


def _named(source: str, spec: str) -> Any:
    """The object `spec` (`MODULE:ATTRIBUTE`, the attribute possibly dotted) names."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigurationError(
            f"{source} {spec!r}: expected MODULE:ATTRIBUTE, as in {DEFAULT_DATA_CONVERTER}"
        )
    try:
        found: Any = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - any failure of the user's module
        raise ConfigurationError(
            f"{source} {spec!r}: cannot import {module_name}: "
            f"{type(error).__name__}: {_one_line(error)}"
        ) from None
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ConfigurationError(
                f"{source} {spec!r}: {module_name} has no attribute {attribute}"
            ) from None
    return found


def _instance(source: str, spec: str, kind: type[Any], kind_name: str) -> Any:
    """What `spec` names: an instance of `kind`, or a class of it made with no arguments."""
    found = _named(source, spec)
    if isinstance(found, type) and issubclass(found, kind):
        try:
            found = found()
        except Exception as error:  # noqa: BLE001 - any failure of the user's class
            raise ConfigurationError(
                f"{source} {spec!r}: {found.__name__}() failed: "
                f"{type(error).__name__}: {_one_line(error)}"
            ) from None
    if isinstance(found, type):
        raise ConfigurationError(
            f"{source} {spec!r} is the class {found.__name__}, not a {kind_name} class"
        )
    if not isinstance(found, kind):
        raise ConfigurationError(
            f"{source} {spec!r} is a {type(found).__name__}, not a {kind_name} (nor a class of one)"
        )
    return found


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
