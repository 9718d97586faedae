"""The plugin parameter string (`--nexus-python_opt=...` or buf's `opt:`), parsed strictly."""

import keyword
import re
from dataclasses import dataclass, field
from typing import Protocol

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


def parse_parameters(text: str) -> Parameters:
    """Parse `key=value,key=value`; unknown keys and bad values are errors."""
    all_services: bool | None = None
    tags: dict[str, set[str]] = {attr: set() for attr in _TAG_KEYS.values()}
    module_prefix: str | None = None
    module_map: dict[str, ModuleMapping] = {}

    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise GenerationError(f"parameter {item!r} needs a value, as in {key}=VALUE; {USAGE}")
        if key == "all-services":
            if all_services is not None:
                raise GenerationError("parameter all-services is given twice")
            if value not in ("true", "false"):
                raise GenerationError(f"all-services must be true or false, not {value!r}")
            all_services = value == "true"
        elif key in _TAG_KEYS:
            tags[_TAG_KEYS[key]].add(value)
        elif key == "module-prefix":
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
        all_services=bool(all_services),
        include_service_tags=frozenset(tags["include_service_tags"]),
        exclude_service_tags=frozenset(tags["exclude_service_tags"]),
        include_operation_tags=frozenset(tags["include_operation_tags"]),
        exclude_operation_tags=frozenset(tags["exclude_operation_tags"]),
        module_prefix=module_prefix or "",
        module_map=tuple(sorted(module_map.values(), key=lambda m: m.source)),
    )
