"""protoc-gen-nexus-ts's parameter string, parsed strictly.

`import_extension` means what it means to protoc-gen-es (give both plugins the
same value); `runtime` names the runtime package; the selection keys are the
Python plugin's.
"""

from dataclasses import dataclass

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.parameters import SelectionReader, parameter_items

USAGE = (
    "known parameters: import_extension=none|js|ts, runtime=PACKAGE, "
    "all-services=true|false, include-service-tags=TAG, exclude-service-tags=TAG, "
    "include-operation-tags=TAG, exclude-operation-tags=TAG (tags may repeat)"
)

DEFAULT_RUNTIME = "@nexusproto/runtime"
_EXTENSIONS = {"none": "", "": "", "js": ".js", ".js": ".js", "ts": ".ts", ".ts": ".ts"}


@dataclass(frozen=True)
class Parameters:
    all_services: bool = False
    include_service_tags: frozenset[str] = frozenset()
    exclude_service_tags: frozenset[str] = frozenset()
    include_operation_tags: frozenset[str] = frozenset()
    exclude_operation_tags: frozenset[str] = frozenset()
    import_extension: str = ""
    """What relative imports end in: "", ".js" or ".ts", as protoc-gen-es's option."""
    runtime: str = DEFAULT_RUNTIME


def parse_parameters(text: str) -> Parameters:
    """Parse `key=value,key=value`; unknown keys, repeats and bad values are errors."""
    selection = SelectionReader()
    single: dict[str, str] = {}
    for key, value in parameter_items(text, USAGE):
        if selection.read(key, value):
            continue
        if key not in ("import_extension", "runtime"):
            raise GenerationError(f"unknown parameter {key!r}; {USAGE}")
        if key in single:
            raise GenerationError(f"parameter {key} is given twice")
        single[key] = value
    extension = single.get("import_extension", "none")
    if extension not in _EXTENSIONS:
        raise GenerationError(f"import_extension must be none, js or ts, not {extension!r}")
    runtime = single.get("runtime", DEFAULT_RUNTIME)
    if not runtime or runtime.startswith((".", "/")) or " " in runtime:
        raise GenerationError(f"runtime must name a package, not {runtime!r}")
    return Parameters(
        **selection.selection(), import_extension=_EXTENSIONS[extension], runtime=runtime
    )
