"""protoc-gen-nexus-go's parameter string, parsed strictly.

Go's own keys mean what they mean to protoc-gen-go, so one `opt:` list serves
both plugins: `paths=import|source_relative`, `module=PREFIX` and
`M<file>=<import path>`. The selection keys are the Python plugin's.
"""

import re
from dataclasses import dataclass, field

from protoc_gen_nexus.errors import GenerationError

_IMPORT_PATH = re.compile(r"^[A-Za-z0-9_.~+/-]+(;[A-Za-z_][A-Za-z0-9_]*)?$")

USAGE = (
    "known parameters: paths=import|source_relative, module=PREFIX, M<file>=<import path>, "
    "all-services=true|false, include-service-tags=TAG, exclude-service-tags=TAG, "
    "include-operation-tags=TAG, exclude-operation-tags=TAG (tags and M may repeat)"
)

_TAG_KEYS = {
    "include-service-tags": "include_service_tags",
    "exclude-service-tags": "exclude_service_tags",
    "include-operation-tags": "include_operation_tags",
    "exclude-operation-tags": "exclude_operation_tags",
}


@dataclass(frozen=True)
class Parameters:
    all_services: bool = False
    include_service_tags: frozenset[str] = frozenset()
    exclude_service_tags: frozenset[str] = frozenset()
    include_operation_tags: frozenset[str] = frozenset()
    exclude_operation_tags: frozenset[str] = frozenset()
    source_relative: bool = False
    """`paths=source_relative`: output beside the .proto file's path, not its import path."""
    module: str = ""
    """`module=`: the prefix stripped from every output path."""
    import_paths: dict[str, str] = field(default_factory=dict)
    """`M` mappings: .proto file -> Go import path (optionally `;package`)."""


def parse_parameters(text: str) -> Parameters:
    """Parse `key=value,key=value`; unknown keys, repeats and bad values are errors."""
    single: dict[str, str] = {}
    tags: dict[str, set[str]] = {attr: set() for attr in _TAG_KEYS.values()}
    import_paths: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise GenerationError(f"parameter {item!r} needs a value, as in {key}=VALUE; {USAGE}")
        if key.startswith("M") and len(key) > 1:
            source = key[1:]
            if not _IMPORT_PATH.match(value):
                raise GenerationError(f"M{source} must map to a Go import path, not {value!r}")
            if import_paths.get(source, value) != value:
                raise GenerationError(
                    f"M{source} is given twice, as {import_paths[source]!r} and {value!r}"
                )
            import_paths[source] = value
        elif key in _TAG_KEYS:
            tags[_TAG_KEYS[key]].add(value)
        elif key in ("all-services", "paths", "module"):
            if key in single:
                raise GenerationError(f"parameter {key} is given twice")
            single[key] = value
        else:
            raise GenerationError(f"unknown parameter {key!r}; {USAGE}")
    all_services = single.get("all-services", "false")
    if all_services not in ("true", "false"):
        raise GenerationError(f"all-services must be true or false, not {all_services!r}")
    paths = single.get("paths", "import")
    if paths not in ("import", "source_relative"):
        raise GenerationError(f"paths must be import or source_relative, not {paths!r}")
    module = single.get("module", "")
    if module and paths == "source_relative":
        raise GenerationError("module= and paths=source_relative cannot be used together")
    return Parameters(
        all_services=all_services == "true",
        include_service_tags=frozenset(tags["include_service_tags"]),
        exclude_service_tags=frozenset(tags["exclude_service_tags"]),
        include_operation_tags=frozenset(tags["include_operation_tags"]),
        exclude_operation_tags=frozenset(tags["exclude_operation_tags"]),
        source_relative=paths == "source_relative",
        module=module.rstrip("/"),
        import_paths=import_paths,
    )
