"""Every generated name checked against the others in each scope it shares.

Scopes: the module (the classes of every service in the file and the aliases
of messages named with keywords), and each
service's classes, whose members the operations share: attributes of the
definition, methods of the handler, and in both clients the methods, their
`start_` twins and the default-timeout constants beside `__init__` and `_client`.
The clients hold every member the other classes hold, so checking their scope
checks all. (Wire names are the language-neutral resolver's to check.)
"""

from collections.abc import Iterator

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.python import model, naming


def _client_members(operation: model.Operation) -> Iterator[tuple[str, str]]:
    """(name, what it is) of everything an operation adds to the client classes."""
    yield operation.attribute, "method"
    yield operation.start_method, "method"
    if operation.schedule_to_close_timeout is not None:
        yield operation.timeout_constant, "default-timeout constant"


def check_operations(service_name: str, operations: list[model.Operation]) -> None:
    """Two operations may share no generated Python name."""
    taken: dict[str, model.Operation | None] = dict.fromkeys(naming.CLIENT_MEMBERS)
    for operation in operations:
        for python_name, what in _client_members(operation):
            if python_name not in taken:
                taken[python_name] = operation
                continue
            owner = taken[python_name]
            if owner is None:
                raise GenerationError(
                    f"{service_name}.{operation.method_name} generates the Python name "
                    f"{python_name!r} ({what}), which the generated clients use themselves; "
                    "rename the method",
                    operation.location,
                )
            if owner is not operation:
                raise GenerationError(
                    f"{service_name}.{operation.method_name} and {service_name}."
                    f"{owner.method_name}{owner.location.on_line()} both generate the "
                    f"Python name {python_name!r} ({what}); rename one of the methods",
                    operation.location,
                )


def check_module_names(services: list[model.Service]) -> None:
    """No module-level name twice: the classes of every service in the file, and
    the aliases of messages named with Python keywords."""
    aliases: dict[str, tuple[str, model.Operation]] = {}
    for service in services:
        for operation in service.operations:
            for message in (operation.input, operation.output):
                if not message.alias:
                    continue
                other, _ = aliases.setdefault(message.alias, (message.full_name, operation))
                if other != message.full_name:
                    raise GenerationError(
                        f"messages {message.full_name} and {other} both generate the Python "
                        f"name {message.alias!r} (their names hold Python keywords); rename "
                        "one of them",
                        operation.location,
                    )
    seen: dict[str, model.Service] = {}
    for service in services:
        for name in _classes(service):
            if name in aliases:
                message_name, _ = aliases[name]
                raise GenerationError(
                    f"service {service.proto_name} generates the Python class {name!r}, the "
                    f"name generated code gives message {message_name}; rename one of them",
                    service.location,
                )
            other_service = seen.get(name)
            if other_service is not None:
                raise GenerationError(
                    f"services {service.proto_name} and {other_service.proto_name}"
                    f"{other_service.location.on_line()} both generate the Python class "
                    f"{name!r}; rename one of them or move it to another file",
                    service.location,
                )
            seen[name] = service


def module_names(services: tuple[model.Service, ...]) -> set[str]:
    """The module-level names a file's services take: their classes and message aliases."""
    taken = {name for service in services for name in _classes(service)}
    taken.update(
        message.alias
        for service in services
        for operation in service.operations
        for message in (operation.input, operation.output)
        if message.alias
    )
    return taken


def _classes(service: model.Service) -> tuple[str, ...]:
    """The module-level classes generated for a service, test doubles included."""
    return (
        service.class_name,
        service.handler_class,
        service.workflow_client_class,
        service.standalone_client_class,
        service.fake_class,
        service.fake_answers_class,
    )
