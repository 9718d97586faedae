"""Whether a message is validated: buf.validate rules on it or on a message it holds.

The switches that turn validation off (`(nexusproto.v1.service).validate`,
`(nexusproto.v1.operation).validate`) are read where services and operations
are resolved (`services.py`); both decisions meet in `validated`.
"""

from google.protobuf import descriptor_pb2

from protoc_gen_nexus_python.options import (
    VALIDATE_FIELD,
    VALIDATE_MESSAGE,
    VALIDATE_ONEOF,
    OptionReader,
)
from protoc_gen_nexus_python.resolve.descriptors import MessageEntry


class RuleDetector:
    """Answers "does this message carry rules?", once per message."""

    def __init__(self, entries: dict[str, MessageEntry], options: OptionReader) -> None:
        self._entries = entries
        self._options = options
        self._has_rules: dict[str, bool] = {}

    def __call__(self, type_name: str) -> bool:
        if type_name not in self._has_rules:
            self._has_rules[type_name] = self._rules_in(type_name, set())
        return self._has_rules[type_name]

    def _rules_in(self, type_name: str, visiting: set[str]) -> bool:
        if type_name in self._has_rules:
            return self._has_rules[type_name]
        if type_name in visiting or type_name not in self._entries:
            return False
        visiting.add(type_name)
        _, _, message = self._entries[type_name]
        get = self._options.get
        found = (
            get(message.options, VALIDATE_MESSAGE) is not None
            or any(get(o.options, VALIDATE_ONEOF) is not None for o in message.oneof_decl)
            or any(get(f.options, VALIDATE_FIELD) is not None for f in message.field)
            or any(
                self._rules_in(f.type_name, visiting)
                for f in message.field
                if f.type == descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
            )
        )
        # Only "yes" is kept from below the top of a search: a message still on
        # the search path counts as "no" there just to end a cycle, so a "no"
        # that depends on it is not the message's own answer.
        if found:
            self._has_rules[type_name] = True
        return found


def validated(switch: bool, has_rules: bool) -> bool:
    """Whether generated code checks a payload: validation on, and rules to check."""
    return switch and has_rules
