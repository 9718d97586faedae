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
        for file in files:
            self._pool.Add(file)
        self._kinds: dict[str, _OptionsKind | None] = {}

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
        data = options.SerializeToString()
        if not data:
            # No option set at all (most fields and messages): nothing to decode.
            return None
        decoded = kind.message_class.FromString(data)
        if not decoded.HasExtension(field):
            return None
        return decoded.Extensions[field]

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
