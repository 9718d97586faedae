"""The catalogue: everything the Markdown pages show, with every link decided.

Services and operations come from the resolved model, so the catalogue makes
the same selection as generation (annotations, `all-services`, tag filters)
and shows the same names, kinds and options. What the model leaves out comes
from the request's descriptors: the messages and enums an operation's payloads
reach, their fields, comments and buf.validate rules, and which page documents
each of them.

A message or enum is documented once, on the page of the file declaring it,
when that file has a page in this run (it has Nexus services); otherwise on
every page whose operations reach it. Well-known types (`google.protobuf.*`)
are shown by name only.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from google.protobuf.message import Message

from protoc_gen_nexus import model
from protoc_gen_nexus.docs.rules import (
    EnumNames,
    Phrase,
    field_rules,
    message_rules,
    oneof_rules,
)
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.options import (
    VALIDATE_FIELD,
    VALIDATE_MESSAGE,
    VALIDATE_ONEOF,
    OptionReader,
)
from protoc_gen_nexus.resolve.descriptors import comment_text

INDEX = "README.md"
"""The index page, named so that code hosts show it for the output directory."""
HERE = ""
"""The page of a type documented on every page that uses it: the page showing the link."""
WELL_KNOWN_PACKAGE = "google.protobuf"

# Paths into SourceCodeInfo are field numbers of descriptor.proto.
_FileProto = descriptor_pb2.FileDescriptorProto
_MessageProto = descriptor_pb2.DescriptorProto
_FieldProto = descriptor_pb2.FieldDescriptorProto
_FILE_MESSAGE = _FileProto.MESSAGE_TYPE_FIELD_NUMBER
_FILE_ENUM = _FileProto.ENUM_TYPE_FIELD_NUMBER
_FILE_SYNTAX = _FileProto.SYNTAX_FIELD_NUMBER
_FILE_EDITION = _FileProto.EDITION_FIELD_NUMBER
_FILE_PACKAGE = _FileProto.PACKAGE_FIELD_NUMBER
_MESSAGE_FIELD = _MessageProto.FIELD_FIELD_NUMBER
_MESSAGE_NESTED = _MessageProto.NESTED_TYPE_FIELD_NUMBER
_MESSAGE_ENUM = _MessageProto.ENUM_TYPE_FIELD_NUMBER
_ENUM_VALUE = descriptor_pb2.EnumDescriptorProto.VALUE_FIELD_NUMBER
_Location = descriptor_pb2.SourceCodeInfo.Location
_REFERENCES = (_FieldProto.TYPE_MESSAGE, _FieldProto.TYPE_GROUP, _FieldProto.TYPE_ENUM)


@dataclass(frozen=True)
class TypeRef:
    """A field's or payload's type, and where it is documented."""

    name: str
    """A message's or enum's proto full name, or a scalar type's keyword (`string`)."""
    page: str | None
    """The page documenting it; `HERE` for the page showing the link; None when no
    page does (scalars, well-known types)."""


FieldLabel = Literal["", "optional", "required", "repeated", "map"]


@dataclass(frozen=True)
class Field:
    name: str
    json_name: str
    label: FieldLabel
    types: tuple[TypeRef, ...]
    """The field's type; for a map, the key's and the value's."""
    oneof: str
    """The oneof holding the field, or empty."""
    comment: str
    rules: tuple[Phrase, ...]


@dataclass(frozen=True)
class MessageDoc:
    full_name: str
    name: str
    """The name inside its file: `Money`, `Outer.Inner` when nested."""
    proto_file: str
    comment: str
    fields: tuple[Field, ...]
    rules: tuple[Phrase, ...]
    """Rules of the whole message: custom rules, groups of fields, required oneofs."""


@dataclass(frozen=True)
class EnumValueDoc:
    name: str
    number: int
    comment: str


@dataclass(frozen=True)
class EnumDoc:
    full_name: str
    name: str
    proto_file: str
    comment: str
    values: tuple[EnumValueDoc, ...]


TypeDoc = MessageDoc | EnumDoc


@dataclass(frozen=True)
class Page:
    """The page of one `.proto` file with Nexus services."""

    path: str
    """Relative to the output directory: `payments/v1/payments.md`."""
    file: model.File
    package: str
    comment: str
    """The file's own comment (above `syntax` or `package`)."""
    types: tuple[TypeDoc, ...]
    """The messages and enums documented here, this file's first, in declaration order."""


@dataclass(frozen=True)
class Catalogue:
    pages: tuple[Page, ...]
    homes: Mapping[str, str]
    """Every documented type's page, by full name (`HERE` where each page documents it)."""

    def ref(self, full_name: str) -> TypeRef:
        return TypeRef(full_name, self.homes.get(full_name))


def page_path(proto_path: str) -> str:
    return proto_path.removesuffix(".proto") + ".md"


def service_anchor(page: Page, service: model.Service) -> str:
    """The service's proto full name: unique in the catalogue, like every anchor."""
    return f"{page.package}.{service.proto_name}" if page.package else service.proto_name


def operation_anchor(page: Page, service: model.Service, operation: model.Operation) -> str:
    return f"{service_anchor(page, service)}.{operation.method_name}"


def build_catalogue(request: plugin_pb2.CodeGeneratorRequest, files: list[model.File]) -> Catalogue:
    """The catalogue of the resolved `files`, read against the request they came from."""
    types = _TypeIndex(list(request.proto_file))
    files = sorted(files, key=lambda file: file.proto_path)
    pages = {file.proto_path: _checked_page_path(file.proto_path) for file in files}
    reached = {file.proto_path: types.reached_from(_payload_types(file)) for file in files}
    homes = {
        name: pages.get(types.declared[name].file.name, HERE)
        for names in reached.values()
        for name in names
    }
    return Catalogue(
        pages=tuple(
            _page(types, file, pages[file.proto_path], reached[file.proto_path], homes)
            for file in files
        ),
        homes=homes,
    )


def _page(
    types: "_TypeIndex",
    file: model.File,
    path: str,
    reached: set[str],
    homes: Mapping[str, str],
) -> Page:
    documented = {name for name, home in homes.items() if home == path}
    documented |= {name for name in reached if homes[name] == HERE}
    return Page(
        path=path,
        file=file,
        package=types.files[file.proto_path].package,
        comment=types.file_comment(file.proto_path),
        types=tuple(
            types.document(name, homes) for name in types.in_page_order(file.proto_path, documented)
        ),
    )


def _checked_page_path(proto_path: str) -> str:
    path = page_path(proto_path)
    if path.lower() == INDEX.lower():
        raise GenerationError(
            f"the catalogue page of {proto_path} would be {path}, the catalogue's index; "
            "rename the file or move it into a directory",
            Location(proto_path),
        )
    return path


def _payload_types(file: model.File) -> list[str]:
    return [
        message.full_name
        for service in file.services
        for operation in service.operations
        for message in (operation.input, operation.output)
    ]


def is_well_known(full_name: str) -> bool:
    return full_name.startswith(WELL_KNOWN_PACKAGE + ".")


@dataclass(frozen=True)
class _Declared:
    """A message or enum of the request: its file, source path and place in the file."""

    file: _FileProto
    path: tuple[int, ...]
    name: str
    order: int
    descriptor: _MessageProto | descriptor_pb2.EnumDescriptorProto


class _TypeIndex:
    """Every message and enum of the request by full name, with their comments and rules."""

    def __init__(self, files: list[_FileProto]) -> None:
        self.files = {file.name: file for file in files}
        self.declared: dict[str, _Declared] = {}
        self._options = OptionReader(files)
        # Source locations by path, per file, read when a page first needs a comment.
        self._locations: dict[str, dict[tuple[int, ...], _Location]] = {}
        for file in files:
            prefix = f"{file.package}." if file.package else ""
            for order, (path, name, descriptor) in enumerate(_declarations(file)):
                self.declared[prefix + name] = _Declared(file, path, name, order, descriptor)

    def reached_from(self, roots: list[str]) -> set[str]:
        """The messages and enums `roots` reach through fields, well-known types and map
        entries left out (a map's key and value types are reached through them)."""
        found: set[str] = set()
        seen: set[str] = set()
        pending = [name for name in roots if not is_well_known(name)]
        while pending:
            name = pending.pop()
            declared = self.declared.get(name)
            if name in seen or declared is None:
                continue
            seen.add(name)
            if not _is_map_entry(declared.descriptor):
                found.add(name)
            if isinstance(declared.descriptor, _MessageProto):
                pending.extend(
                    target
                    for field in declared.descriptor.field
                    if field.type in _REFERENCES
                    and not is_well_known(target := field.type_name.lstrip("."))
                )
        return found

    def in_page_order(self, proto_path: str, names: set[str]) -> list[str]:
        """The page's own file's types first, then other files' by file name; each file's
        in declaration order (a nested type right after its parent)."""
        return sorted(
            names,
            key=lambda name: (
                self.declared[name].file.name != proto_path,
                self.declared[name].file.name,
                self.declared[name].order,
            ),
        )

    def document(self, name: str, homes: Mapping[str, str]) -> TypeDoc:
        declared = self.declared[name]
        descriptor = declared.descriptor
        if isinstance(descriptor, descriptor_pb2.EnumDescriptorProto):
            return EnumDoc(
                full_name=name,
                name=declared.name,
                proto_file=declared.file.name,
                comment=self._comment(declared.file, declared.path),
                values=tuple(
                    EnumValueDoc(
                        value.name,
                        value.number,
                        self._comment(declared.file, (*declared.path, _ENUM_VALUE, index)),
                    )
                    for index, value in enumerate(descriptor.value)
                ),
            )
        return MessageDoc(
            full_name=name,
            name=declared.name,
            proto_file=declared.file.name,
            comment=self._comment(declared.file, declared.path),
            fields=tuple(
                self._field(declared, index, field, homes)
                for index, field in enumerate(descriptor.field)
            ),
            rules=self._message_rules(descriptor),
        )

    def file_comment(self, proto_path: str) -> str:
        file = self.files[proto_path]
        for path in ((_FILE_SYNTAX,), (_FILE_EDITION,), (_FILE_PACKAGE,)):
            text = self._comment(file, path)
            if text:
                return text
        return ""

    def _field(
        self, message: _Declared, index: int, field: _FieldProto, homes: Mapping[str, str]
    ) -> Field:
        assert isinstance(message.descriptor, _MessageProto)
        target = self.declared.get(field.type_name.lstrip("."))
        if target is not None and _is_map_entry(target.descriptor):
            assert isinstance(target.descriptor, _MessageProto)
            key, value = target.descriptor.field
            label: FieldLabel = "map"
            types: tuple[TypeRef, ...] = (self._type(key, homes), self._type(value, homes))
        else:
            label = _label(field)
            types = (self._type(field, homes),)
        oneof = ""
        if field.HasField("oneof_index") and not field.proto3_optional:
            oneof = message.descriptor.oneof_decl[field.oneof_index].name
        return Field(
            name=field.name,
            json_name=field.json_name or _json_name(field.name),
            label=label,
            types=types,
            oneof=oneof,
            comment=self._comment(message.file, (*message.path, _MESSAGE_FIELD, index)),
            rules=field_rules(self._rules(field.options, VALIDATE_FIELD), self._enum_names(field)),
        )

    def _type(self, field: _FieldProto, homes: Mapping[str, str]) -> TypeRef:
        if field.type in _REFERENCES:
            name = field.type_name.lstrip(".")
            return TypeRef(name, homes.get(name))
        return TypeRef(_FieldProto.Type.Name(field.type).removeprefix("TYPE_").lower(), None)

    def _enum_names(self, field: _FieldProto) -> EnumNames | None:
        if field.type != _FieldProto.TYPE_ENUM:
            return None
        declared = self.declared.get(field.type_name.lstrip("."))
        if declared is None:
            return None
        descriptor = declared.descriptor
        assert isinstance(descriptor, descriptor_pb2.EnumDescriptorProto)
        # The first name of a number, as protobuf shows aliased values.
        names: dict[int, str] = {}
        for value in descriptor.value:
            names.setdefault(value.number, value.name)
        return names

    def _message_rules(self, message: _MessageProto) -> tuple[Phrase, ...]:
        rules = message_rules(self._rules(message.options, VALIDATE_MESSAGE))
        for index, oneof in enumerate(message.oneof_decl):
            members = tuple(
                field.name
                for field in message.field
                if field.HasField("oneof_index") and field.oneof_index == index
            )
            rules += oneof_rules(members, self._rules(oneof.options, VALIDATE_ONEOF))
        return rules

    def _rules(self, options: Message, extension: str) -> Message | None:
        rules: Message | None = self._options.get(options, extension)
        return rules

    def _comment(self, file: _FileProto, path: tuple[int, ...]) -> str:
        """The leading comment at `path`, then the trailing one, as paragraphs."""
        locations = self._locations.get(file.name)
        if locations is None:
            locations = self._locations[file.name] = {
                tuple(location.path): location for location in file.source_code_info.location
            }
        location = locations.get(path)
        if location is None:
            return ""
        parts = (comment_text(location.leading_comments), comment_text(location.trailing_comments))
        return "\n\n".join(part for part in parts if part)


def _declarations(
    file: _FileProto,
) -> Iterator[tuple[tuple[int, ...], str, _MessageProto | descriptor_pb2.EnumDescriptorProto]]:
    """(source path, name in the file, descriptor) of every message and enum, depth first."""
    for index, message in enumerate(file.message_type):
        yield from _message_declarations(message, (_FILE_MESSAGE, index), "")
    for index, enum in enumerate(file.enum_type):
        yield (_FILE_ENUM, index), enum.name, enum


def _message_declarations(
    message: _MessageProto, path: tuple[int, ...], outer: str
) -> Iterator[tuple[tuple[int, ...], str, _MessageProto | descriptor_pb2.EnumDescriptorProto]]:
    name = f"{outer}.{message.name}" if outer else message.name
    yield path, name, message
    for index, nested in enumerate(message.nested_type):
        yield from _message_declarations(nested, (*path, _MESSAGE_NESTED, index), name)
    for index, enum in enumerate(message.enum_type):
        yield (*path, _MESSAGE_ENUM, index), f"{name}.{enum.name}", enum


def _is_map_entry(descriptor: _MessageProto | descriptor_pb2.EnumDescriptorProto) -> bool:
    return isinstance(descriptor, _MessageProto) and descriptor.options.map_entry


def _label(field: _FieldProto) -> FieldLabel:
    if field.label == _FieldProto.LABEL_REPEATED:
        return "repeated"
    if field.proto3_optional:
        return "optional"
    if field.label == _FieldProto.LABEL_REQUIRED:
        return "required"
    return ""


def _json_name(name: str) -> str:
    """protoc's JSON name of a field (`amount_minor` -> `amountMinor`), for descriptors
    written without one."""
    out: list[str] = []
    upper_next = False
    for char in name:
        if char == "_":
            upper_next = True
        else:
            out.append(char.upper() if upper_next else char)
            upper_next = False
    return "".join(out)
