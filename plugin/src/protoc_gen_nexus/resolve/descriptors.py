"""What the request holds, indexed: messages by full name, source locations by path."""

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf import descriptor_pb2

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import Location

# Paths into SourceCodeInfo are field numbers of descriptor.proto.
FILE_SERVICE = descriptor_pb2.FileDescriptorProto.SERVICE_FIELD_NUMBER
SERVICE_METHOD = descriptor_pb2.ServiceDescriptorProto.METHOD_FIELD_NUMBER
SERVICE_OPTIONS = descriptor_pb2.ServiceDescriptorProto.OPTIONS_FIELD_NUMBER
METHOD_OPTIONS = descriptor_pb2.MethodDescriptorProto.OPTIONS_FIELD_NUMBER


class SourceInfo:
    """Locations and comments of one file's services and methods, by descriptor path."""

    def __init__(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        self.file_name = file.name
        self._by_path: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location] = {}
        # Only services are ever looked up; keeping just their locations skips
        # the many of messages and fields (and keeps `location`'s scan short).
        for location in file.source_code_info.location:
            path = location.path
            if path and path[0] == FILE_SERVICE:
                self._by_path.setdefault(tuple(path), location)

    def location(self, *path: int) -> Location:
        """The location of `path`, or of the first element found below it."""
        found = self._by_path.get(path)
        if found is None:
            below = [p for p in self._by_path if p[: len(path)] == path]
            found = self._by_path[min(below)] if below else None
        if found is None or len(found.span) < 2:  # noqa: PLR2004 - line and column
            return Location(self.file_name)
        return Location(self.file_name, found.span[0] + 1, found.span[1] + 1)

    def comment(self, *path: int) -> str:
        found = self._by_path.get(path)
        return "" if found is None else comment_text(found.leading_comments)


def comment_text(text: str | bytes) -> str:
    """A comment from SourceCodeInfo as its author wrote it: dedented, no outer blank lines."""
    if isinstance(text, bytes):
        # protoc passes comments on as the file has them, and protobuf hands
        # one that is not UTF-8 (a Latin-1 file, say) over as bytes.
        text = text.decode("utf-8", errors="replace")
    return textwrap.dedent(text).strip()


MessageEntry = tuple[descriptor_pb2.FileDescriptorProto, str, descriptor_pb2.DescriptorProto]
"""A message's file, its qualified name inside the file, and its descriptor."""


class MessageIndex:
    """Every message in the request by full name (`.pkg.Outer.Inner`), resolved on demand."""

    def __init__(self, files: list[descriptor_pb2.FileDescriptorProto]) -> None:
        self._resolved: dict[str, model.Message] = {}
        self.entries: dict[str, MessageEntry] = {}
        for file in files:
            prefix = f".{file.package}." if file.package else "."
            for message, qualname in _walk_messages(file.message_type, ""):
                self.entries[prefix + qualname] = (file, qualname, message)

    def resolve(self, type_name: str, has_rules: Callable[[str], bool]) -> model.Message:
        """The model of a message; one object per message, however many operations use it."""
        found = self._resolved.get(type_name)
        if found is None:
            found = self._resolved[type_name] = self._resolve(type_name, has_rules)
        return found

    def _resolve(self, type_name: str, has_rules: Callable[[str], bool]) -> model.Message:
        file, qualname, message = self.entries[type_name]
        return model.Message(
            full_name=type_name.lstrip("."),
            proto_file=file.name,
            qualname=qualname,
            has_validation_rules=has_rules(type_name),
            read_fields=lambda: tuple(_field(field) for field in message.field),
        )


_TYPE_NAMES = {
    number: name.removeprefix("TYPE_").lower()
    for name, number in descriptor_pb2.FieldDescriptorProto.Type.items()
}


_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED


def _field(field: descriptor_pb2.FieldDescriptorProto) -> model.Field:
    return model.Field(field.name, _TYPE_NAMES.get(field.type, "message"), field.label == _REPEATED)


def _walk_messages(
    messages: Any, outer: str
) -> Iterator[tuple[descriptor_pb2.DescriptorProto, str]]:
    for message in messages:
        qualname = f"{outer}.{message.name}" if outer else message.name
        yield message, qualname
        yield from _walk_messages(message.nested_type, qualname)
