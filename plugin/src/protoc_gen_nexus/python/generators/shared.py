"""Names and helpers the artefact generators share."""

from collections.abc import Callable, Iterable
from datetime import timedelta

from protoc_gen_nexus.python import model, naming
from protoc_gen_nexus.python.writer import Ident, Module, PythonFile, string_literal

ABC = Module("abc")
NEXUSRPC = Module("nexusrpc")
NEXUSPROTO = Module("nexusproto")
TEMPORAL_NEXUS = Module("temporalio.nexus")
TEMPORAL_COMMON = Module("temporalio.common")
TEMPORAL_CLIENT = Module("temporalio.client")
TEMPORAL_WORKFLOW = Module("temporalio.workflow")
DATETIME = Module("datetime")
TYPING = Module("typing")
TYPING_EXTENSIONS = Module("typing_extensions")


def runtime_modules(file: model.File) -> set[Module]:
    """The library modules a file's generated code refers to."""
    modules = {ABC, NEXUSRPC, NEXUSPROTO, DATETIME, TEMPORAL_CLIENT, TEMPORAL_WORKFLOW}
    modules.add(TYPING_EXTENSIONS)
    if keyword_messages(file) or file.workflow_contracts:
        modules.add(TYPING)
    for service in file.services:
        for operation in service.operations:
            binding = operation.workflow_run
            if binding is not None:
                modules.add(TEMPORAL_NEXUS)
                if binding.id_reuse_policy or binding.id_conflict_policy:
                    modules.add(TEMPORAL_COMMON)
            if operation.starts_temporal_operation:
                modules.add(TEMPORAL_NEXUS)
            if operation.activity is not None and operation.activity.retry_policy is not None:
                modules.add(TEMPORAL_COMMON)
    return modules


def timedelta_value(out: PythonFile, value: timedelta) -> str:
    """`datetime.timedelta(seconds=..., microseconds=...)` for a duration of the contract."""
    parts = []
    seconds = value.days * 86400 + value.seconds
    if seconds:
        parts.append(f"seconds={seconds}")
    if value.microseconds:
        parts.append(f"microseconds={value.microseconds}")
    return f"{out.ref_name(DATETIME, 'timedelta')}({', '.join(parts)})"


def message_modules(file: model.File) -> set[Module]:
    return {
        Module(message.python_module)
        for service in file.services
        for operation in service.operations
        for message in (operation.input, operation.output)
        if not message.is_empty
    }


def payload_type(out: PythonFile, message: model.Message) -> str:
    """The Python type of a payload: the message class, or None for google.protobuf.Empty.

    Empty travels as no payload at all, as the Go generators send it (nexus.NoValue);
    an Empty message on the wire is refused by Go code that expects no value.
    """
    if message.is_empty:
        return "None"
    if message.alias:
        return message.alias
    return out.ref(Ident(Module(message.python_module), message.qualname))


def keyword_messages(file: model.File) -> list[model.Message]:
    """The messages of a file's operations named with Python keywords, once each, by alias."""
    found = {
        message.alias: message
        for service in file.services
        for operation in service.operations
        for message in (operation.input, operation.output)
        if message.alias
    }
    return [found[alias] for alias in sorted(found)]


def module_doc(file: model.File) -> str:
    names = ", ".join(service.class_name for service in file.services)
    return f"Temporal Nexus contract of {file.proto_path}: {names}."


def quoted(text: str) -> str:
    return string_literal(text)


def defined_names(
    file: model.File,
    classes: Callable[[model.Service], Iterable[str]],
    members: Callable[[model.Operation], Iterable[str]],
) -> set[str]:
    """What a generated module binds itself, which its import aliases must avoid:
    its classes, the generated locals, the keyword-message aliases, and the
    operation members its class bodies define (an alias shadowed by one of them
    would break the signatures that follow)."""
    defined = set(naming.LOCAL_NAMES)
    defined |= {message.alias for message in keyword_messages(file)}
    for service in file.services:
        defined.update(classes(service))
        for operation in service.operations:
            defined.update(members(operation))
    return defined
