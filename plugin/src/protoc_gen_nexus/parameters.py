"""The plugin parameter string (`--nexus-python_opt=...` or buf's `opt:`), parsed strictly."""

import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from protoc_gen_nexus.errors import GenerationError

_MODULE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _is_module_path(value: str) -> bool:
    """A dotted path Python code can import: identifiers, none of them a keyword."""
    return bool(_MODULE_PATH.match(value)) and not any(
        keyword.iskeyword(part) for part in value.split(".")
    )


class Selection(Protocol):
    """Which services and operations are Nexus ones: what every plugin's parameters
    share, and all the language-neutral resolver reads of them."""

    @property
    def all_services(self) -> bool: ...
    @property
    def include_service_tags(self) -> frozenset[str]: ...
    @property
    def exclude_service_tags(self) -> frozenset[str]: ...
    @property
    def include_operation_tags(self) -> frozenset[str]: ...
    @property
    def exclude_operation_tags(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ModuleMapping:
    """Rewrites imports of `_pb2` modules whose dotted path starts with `source`."""

    source: str
    target: str

    def apply(self, module: str) -> str | None:
        if module == self.source or module.startswith(self.source + "."):
            return self.target + module[len(self.source) :]
        return None


@dataclass(frozen=True)
class Parameters:
    all_services: bool = False
    include_service_tags: frozenset[str] = frozenset()
    exclude_service_tags: frozenset[str] = frozenset()
    include_operation_tags: frozenset[str] = frozenset()
    exclude_operation_tags: frozenset[str] = frozenset()
    module_prefix: str = ""
    module_map: tuple[ModuleMapping, ...] = field(default=())

    def python_module(self, module: str) -> str:
        """Where the `_pb2` module generated for a proto file is imported from.

        The longest matching `module-map` entry wins; otherwise `module-prefix`
        applies to everything but the well-known types that protobuf ships.
        """
        best: ModuleMapping | None = None
        for mapping in self.module_map:
            if mapping.apply(module) is not None and (
                best is None or len(mapping.source) > len(best.source)
            ):
                best = mapping
        if best is not None:
            mapped = best.apply(module)
            assert mapped is not None
            return mapped
        if self.module_prefix and not module.startswith("google.protobuf."):
            return f"{self.module_prefix}.{module}"
        return module


USAGE = (
    "known parameters: all-services=true|false, include-service-tags=TAG, "
    "exclude-service-tags=TAG, include-operation-tags=TAG, "
    "exclude-operation-tags=TAG, module-prefix=PKG, module-map=FROM=TO "
    "(tags and module-map may repeat)"
)

_TAG_KEYS = {
    "include-service-tags": "include_service_tags",
    "exclude-service-tags": "exclude_service_tags",
    "include-operation-tags": "include_operation_tags",
    "exclude-operation-tags": "exclude_operation_tags",
}


def parameter_items(text: str, usage: str) -> Iterator[tuple[str, str]]:
    """The `key=value` items of a parameter string, stripped; an item without a value
    is an error that ends with `usage`."""
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise GenerationError(f"parameter {item!r} needs a value, as in {key}=VALUE; {usage}")
        yield key, value


class SelectionReader:
    """Reads the parameters every plugin of this distribution shares: `all-services`
    and the tag filters (which may repeat)."""

    def __init__(self) -> None:
        self._all_services: bool | None = None
        self._tags: dict[str, set[str]] = {attr: set() for attr in _TAG_KEYS.values()}

    def read(self, key: str, value: str) -> bool:
        """Take `key=value` if it is a selection key; False for any other key."""
        if key == "all-services":
            if self._all_services is not None:
                raise GenerationError("parameter all-services is given twice")
            if value not in ("true", "false"):
                raise GenerationError(f"all-services must be true or false, not {value!r}")
            self._all_services = value == "true"
            return True
        if key in _TAG_KEYS:
            self._tags[_TAG_KEYS[key]].add(value)
            return True
        return False

    def selection(self) -> dict[str, Any]:
        """The keyword arguments of a Parameters class: `all_services` and the tag sets."""
        return {
            "all_services": bool(self._all_services),
            **{attr: frozenset(tags) for attr, tags in self._tags.items()},
        }


def parse_parameters(text: str) -> Parameters:
    """Parse `key=value,key=value`; unknown keys and bad values are errors."""
    selection = SelectionReader()
    module_prefix: str | None = None
    module_map: dict[str, ModuleMapping] = {}

    for key, value in parameter_items(text, USAGE):
        if selection.read(key, value):
            continue
        if key == "module-prefix":
            if module_prefix is not None:
                raise GenerationError("parameter module-prefix is given twice")
            if not _is_module_path(value):
                raise GenerationError(
                    f"module-prefix must be a dotted Python module path, not {value!r}"
                )
            module_prefix = value
        elif key == "module-map":
            source, sep, target = value.partition("=")
            # The source may hold a keyword: mapping such a path away is the way out.
            if not sep or not _MODULE_PATH.match(source) or not _is_module_path(target):
                raise GenerationError(
                    f"module-map must look like module-map=FROM=TO with dotted Python "
                    f"module paths (for example module-map=temporal.api=temporalio.api), "
                    f"not {value!r}"
                )
            if source in module_map and module_map[source].target != target:
                raise GenerationError(
                    f"module-map maps {source!r} twice, to {module_map[source].target!r} "
                    f"and to {target!r}"
                )
            module_map[source] = ModuleMapping(source, target)
        else:
            raise GenerationError(f"unknown parameter {key!r}; {USAGE}")

    return Parameters(
        **selection.selection(),
        module_prefix=module_prefix or "",
        module_map=tuple(sorted(module_map.values(), key=lambda m: m.source)),
    )
