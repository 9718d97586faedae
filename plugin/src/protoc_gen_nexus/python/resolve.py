"""The Python naming pass: the contract's model with every Python name decided.

Names come from `naming`; what Python cannot express (a method that gives no
identifier, a module path that cannot be imported, two names in one scope) is
a located GenerationError here, so the generators only ever see a valid model.
"""

import keyword

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import model as contract
from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.parameters import Parameters
from protoc_gen_nexus.python import model, names, naming
from protoc_gen_nexus.python.contracts import workflow_contracts
from protoc_gen_nexus.resolve import resolve as resolve_contract


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The Python model of every file protoc asked for that holds a Nexus service."""
    return [_file(file, parameters) for file in resolve_contract(request, parameters)]


def _file(file: contract.File, parameters: Parameters) -> model.File:
    messages = _Messages(parameters)
    services = [_service(service, messages) for service in file.services]
    names.check_module_names(services)
    return model.File(
        proto_path=file.proto_path,
        output_path=naming.nexus_output_path(file.proto_path),
        python_module=naming.nexus_module(
            parameters.python_module(naming.pb2_module(file.proto_path))
        ),
        testing_output_path=naming.testing_output_path(file.proto_path),
        services=tuple(services),
        workflow_contracts=workflow_contracts(tuple(services), names.module_names(tuple(services))),
    )


class _Messages:
    """One Python message per contract message, however many operations use it."""

    def __init__(self, parameters: Parameters) -> None:
        self._parameters = parameters
        self._made: dict[str, model.Message] = {}

    def __call__(self, message: contract.Message) -> model.Message:
        found = self._made.get(message.full_name)
        if found is None:
            qualname = message.qualname
            found = self._made[message.full_name] = model.Message(
                contract=message,
                python_module=self._parameters.python_module(naming.pb2_module(message.proto_file)),
                alias=naming.message_alias(qualname) if naming.has_keyword_part(qualname) else "",
            )
        return found


def _service(service: contract.Service, messages: _Messages) -> model.Service:
    operations = [_operation(service, operation, messages) for operation in service.operations]
    names.check_operations(service.proto_name, operations)
    classes = naming.service_classes(service.proto_name)
    return model.Service(
        contract=service,
        class_name=classes.definition,
        handler_class=classes.handler,
        workflow_client_class=classes.workflow_client,
        standalone_client_class=classes.standalone_client,
        fake_class=naming.fake_class(classes.definition),
        fake_answers_class=naming.fake_answers_class(classes.definition),
        operations=tuple(operations),
    )


def _operation(
    service: contract.Service, operation: contract.Operation, messages: _Messages
) -> model.Operation:
    attribute = naming.operation_method(operation.method_name)
    if not attribute.isidentifier():  # empty, or a digit first (`_1Go` -> `1go`)
        raise GenerationError(
            f"method name {operation.method_name!r} gives no usable Python name; rename the method",
            operation.location,
        )
    input_type, output_type = messages(operation.input), messages(operation.output)
    for message in (input_type, output_type):
        _check_importable(service, operation, message)
    return model.Operation(
        contract=operation,
        attribute=attribute,
        start_method=naming.start_method(attribute),
        timeout_constant=naming.timeout_constant(attribute),
        input=input_type,
        output=output_type,
    )


def _check_importable(
    service: contract.Service, operation: contract.Operation, message: model.Message
) -> None:
    unusable = [
        part
        for part in message.python_module.split(".")
        if not part.isidentifier() or keyword.iskeyword(part)
    ]
    if unusable:
        raise GenerationError(
            f"{service.proto_name}.{operation.method_name} uses message {message.full_name} "
            f"from module {message.python_module}, which Python code cannot import: "
            f"{unusable[0]!r} is not a module name. Rename the directory, or map the module "
            "elsewhere with module-map",
            operation.location,
        )
