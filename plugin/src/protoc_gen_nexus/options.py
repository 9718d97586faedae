"""Option extensions, decoded against the descriptors carried in the request.

The plugin does not import `_pb2` modules of the option protos: an extension
is only decoded when its descriptor is known at parse time, and the request
itself carries the exact option files the user compiled against (their copy,
or the published module of the same package). Options are re-parsed through a
pool built from the request, so a missing import cannot silently drop them.
"""

from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

NEXUS_SERVICE = "nexusannotations.v1.service"
NEXUS_OPERATION = "nexusannotations.v1.operation"
NEXUSPROTO_SERVICE = "nexusproto.v1.service"
NEXUSPROTO_OPERATION = "nexusproto.v1.operation"
VALIDATE_MESSAGE = "buf.validate.message"
VALIDATE_ONEOF = "buf.validate.oneof"
VALIDATE_FIELD = "buf.validate.field"


@dataclass
class _OptionsKind:
    message_class: type[Message]
    extensions: dict[str, Any]


class OptionReader:
    def __init__(self, files: list[descriptor_pb2.FileDescriptorProto]) -> None:
        self._pool = descriptor_pool.DescriptorPool()
        # Decoding options needs the files that declare extensions and what they
        # import, not the (many) files that only use them.
        for file in _declaring_extensions(files):
            self._pool.Add(file)
        self._kinds: dict[str, _OptionsKind | None] = {}
        # Options are read for several extensions each (is it a Nexus service?
        # then its name, tags, Temporal settings): decode each message once.
        self._decoded: dict[int, tuple[Message, Message | None]] = {}

    def get(self, options: Message, extension: str) -> Any | None:
        """The extension's value on `options`, or None when it is not set."""
        kind = self._kind(options.DESCRIPTOR.full_name)
        if kind is None:
            return None
        field = kind.extensions.get(extension)
        if field is None:
            field = self._find_extension(extension)
            kind.extensions[extension] = field
        if field is False:
            return None
        decoded = self._decode(kind, options)
        if decoded is None or not decoded.HasExtension(field):
            return None
        return decoded.Extensions[field]

    def extension_number(self, extension: str) -> int:
        """The field number of an extension the request declares (for source paths)."""
        return int(self._pool.FindExtensionByName(extension).number)

    def _decode(self, kind: _OptionsKind, options: Message) -> Message | None:
        """`options` re-parsed with the request's extensions; None when nothing is set."""
        cached = self._decoded.get(id(options))
        if cached is not None and cached[0] is options:
            return cached[1]
        data = options.SerializeToString()
        # No option set at all (most fields and messages): nothing to decode.
        decoded = kind.message_class.FromString(data) if data else None
        # The entry keeps `options` alive, so its id cannot be reused meanwhile.
        self._decoded[id(options)] = (options, decoded)
        return decoded

    def _kind(self, options_type: str) -> _OptionsKind | None:
        if options_type not in self._kinds:
            try:
                descriptor = self._pool.FindMessageTypeByName(options_type)
            except KeyError:
                # No file in the request imports descriptor.proto, so no file
                # can declare custom options either.
                self._kinds[options_type] = None
            else:
                self._kinds[options_type] = _OptionsKind(
                    message_factory.GetMessageClass(descriptor), {}
                )
        return self._kinds[options_type]

    def _find_extension(self, name: str) -> Any:
        try:
            return self._pool.FindExtensionByName(name)
        except KeyError:
            return False


def _declaring_extensions(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> list[descriptor_pb2.FileDescriptorProto]:
    """Files declaring extensions, with their imports, in the request's (dependency) order."""
    by_name = {file.name: file for file in files}
    needed: set[str] = set()
    pending = [file.name for file in files if _declares_extensions(file)]
    while pending:
        name = pending.pop()
        if name in needed or name not in by_name:
            continue
        needed.add(name)
        pending.extend(by_name[name].dependency)
    return [file for file in files if file.name in needed]


def _declares_extensions(file: descriptor_pb2.FileDescriptorProto) -> bool:
    if file.extension:
        return True
    pending = list(file.message_type)
    while pending:
        message = pending.pop()
        if message.extension:
            return True
        pending.extend(message.nested_type)
    return False
