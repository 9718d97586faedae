"""protoc-gen-nexus-java's parameter string, parsed strictly.

Where the Java code goes is what protoc-gen-java decides from the .proto file
(`java_package`, `java_multiple_files`, `java_outer_classname`), so the only
keys are the selection keys every plugin of this distribution shares.
"""

from dataclasses import dataclass

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.parameters import SelectionReader, parameter_items

USAGE = (
    "known parameters: all-services=true|false, include-service-tags=TAG, "
    "exclude-service-tags=TAG, include-operation-tags=TAG, exclude-operation-tags=TAG "
    "(tags may repeat)"
)


@dataclass(frozen=True)
class Parameters:
    all_services: bool = False
    include_service_tags: frozenset[str] = frozenset()
    exclude_service_tags: frozenset[str] = frozenset()
    include_operation_tags: frozenset[str] = frozenset()
    exclude_operation_tags: frozenset[str] = frozenset()


def parse_parameters(text: str) -> Parameters:
    """Parse `key=value,key=value`; unknown keys and bad values are errors."""
    selection = SelectionReader()
    for key, value in parameter_items(text, USAGE):
        if not selection.read(key, value):
            raise GenerationError(f"unknown parameter {key!r}; {USAGE}")
    return Parameters(**selection.selection())
