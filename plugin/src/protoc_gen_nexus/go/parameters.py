"""protoc-gen-nexus-go's parameter string, parsed strictly.

Go's own keys mean what they mean to protoc-gen-go, so one `opt:` list serves
both plugins: `paths=import|source_relative`, `module=PREFIX` and
`M<file>=<import path>`. The selection keys are the Python plugin's.
"""

import re
from dataclasses import dataclass, field

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.parameters import SelectionReader, parameter_items

_IMPORT_PATH = re.compile(r"^[A-Za-z0-9_.~+/-]+(;[A-Za-z_][A-Za-z0-9_]*)?$")

USAGE = (
    "known parameters: paths=import|source_relative, module=PREFIX, M<file>=<import path>, "
    "all-services=true|false, include-service-tags=TAG, exclude-service-tags=TAG, "
    "include-operation-tags=TAG, exclude-operation-tags=TAG (tags and M may repeat)"
)


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
    selection = SelectionReader()
    single: dict[str, str] = {}
    import_paths: dict[str, str] = {}
    for key, value in parameter_items(text, USAGE):
        if selection.read(key, value):
            continue
        if key.startswith("M") and len(key) > 1:
            source = key[1:]
            if not _IMPORT_PATH.match(value):
                raise GenerationError(f"M{source} must map to a Go import path, not {value!r}")
            if import_paths.get(source, value) != value:
                raise GenerationError(
                    f"M{source} is given twice, as {import_paths[source]!r} and {value!r}"
                )
            import_paths[source] = value
        elif key in ("paths", "module"):
            if key in single:
                raise GenerationError(f"parameter {key} is given twice")
            single[key] = value
        else:
            raise GenerationError(f"unknown parameter {key!r}; {USAGE}")
    paths = single.get("paths", "import")
    if paths not in ("import", "source_relative"):
        raise GenerationError(f"paths must be import or source_relative, not {paths!r}")
    module = single.get("module", "")
    if module and paths == "source_relative":
        raise GenerationError("module= and paths=source_relative cannot be used together")
    return Parameters(
        **selection.selection(),
        source_relative=paths == "source_relative",
        module=module.rstrip("/"),
        import_paths=import_paths,
    )
