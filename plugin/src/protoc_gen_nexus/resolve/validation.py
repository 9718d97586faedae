"""Whether a message is validated: buf.validate rules on it or on a message it holds.

The switches that turn validation off (`(nexusproto.v1.service).validate`,
`(nexusproto.v1.operation).validate`) are read where services and operations
are resolved (`services.py`); both decisions meet in `validated`.
"""

from google.protobuf import descriptor_pb2

from protoc_gen_nexus.options import (
    VALIDATE_FIELD,
    VALIDATE_MESSAGE,
    VALIDATE_ONEOF,
    OptionReader,
)
from protoc_gen_nexus.resolve.descriptors import MessageEntry

_MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE


class RuleDetector:
    """Answers "does this message carry rules?", once per message."""

    def __init__(self, entries: dict[str, MessageEntry], options: OptionReader) -> None:
        self._entries = entries
        self._options = options
        self._has_rules: dict[str, bool] = {}

    def __call__(self, type_name: str) -> bool:
        """True when `type_name`, or any message reachable through its fields, has rules.

        A search that finds none proves it for every message it reached too (what
        they reach, it reached), so those are remembered as "no"; one that finds
        rules proves it only for where it started. Each message is read at most
        once per "no", which keeps the whole resolution linear.
        """
        known = self._has_rules.get(type_name)
        if known is not None:
            return known
        seen = {type_name}
        pending = [type_name]
        while pending:
            name = pending.pop()
            known = self._has_rules.get(name)
            if known is False or name not in self._entries:
                continue
            _, _, message = self._entries[name]
            if known or self._own_rules(message):
                self._has_rules[type_name] = True
                return True
            for field in message.field:
                if field.type == _MESSAGE and field.type_name not in seen:
                    seen.add(field.type_name)
                    pending.append(field.type_name)
        for name in seen:
            self._has_rules[name] = False
        return False

    def _own_rules(self, message: descriptor_pb2.DescriptorProto) -> bool:
        get = self._options.get
        # Most elements have no options at all: HasField skips decoding them.
        return (
            (message.HasField("options") and get(message.options, VALIDATE_MESSAGE) is not None)
            or any(
                o.HasField("options") and get(o.options, VALIDATE_ONEOF) is not None
                for o in message.oneof_decl
            )
            or any(
                f.HasField("options") and get(f.options, VALIDATE_FIELD) is not None
                for f in message.field
            )
        )


def validated(switch: bool, has_rules: bool) -> bool:
    """Whether generated code checks a payload: validation on, and rules to check."""
    return switch and has_rules
