"""Which services and operations are Nexus ones, and which the tag filters keep."""

from google.protobuf import descriptor_pb2

from protoc_gen_nexus.options import (
    NEXUS_OPERATION,
    NEXUS_SERVICE,
    NEXUSPROTO_OPERATION,
    NEXUSPROTO_SERVICE,
    OptionReader,
)


def is_nexus_service(service: descriptor_pb2.ServiceDescriptorProto, options: OptionReader) -> bool:
    """Annotated itself, or any of its methods annotated (either option set)."""
    if options.get(service.options, NEXUS_SERVICE) is not None:
        return True
    if options.get(service.options, NEXUSPROTO_SERVICE) is not None:
        return True
    return any(
        options.get(method.options, NEXUS_OPERATION) is not None
        or options.get(method.options, NEXUSPROTO_OPERATION) is not None
        for method in service.method
    )


def tags_of(annotation: object | None) -> tuple[str, ...]:
    """The `tags` of a `nexusannotations.v1` service or operation option, if set."""
    return tuple(getattr(annotation, "tags", ())) if annotation is not None else ()


def selected(tags: tuple[str, ...], include: frozenset[str], exclude: frozenset[str]) -> bool:
    """The Go generators' rule: kept when it has an included tag (if any are given)
    and no excluded one; exclusion wins."""
    if include and not include.intersection(tags):
        return False
    return not exclude.intersection(tags)
