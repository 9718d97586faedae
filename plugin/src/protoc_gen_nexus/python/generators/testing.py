"""`<Service>Fake`, in `<file>_nexus_testing.py`: a handler for tests, answering from arguments.

The module is separate so that production code, which imports `_nexus`, never
loads it. Each fake subclasses the generated handler base (so a worker registers
it like the team's own handler) and `nexusproto.testing.Fake`, which holds the
behaviour: the generated part is the typed constructor, one keyword per
operation, and the typed methods that hand each request to it.
"""

from protoc_gen_nexus.python import model
from protoc_gen_nexus.python.generators.aliases import keyword_message_aliases
from protoc_gen_nexus.python.generators.shared import (
    NEXUSRPC,
    TEMPORAL_NEXUS,
    TYPING,
    TYPING_EXTENSIONS,
    defined_names,
    message_modules,
    payload_type,
    quoted,
)
from protoc_gen_nexus.python.writer import Module, PythonFile

TESTING = Module("nexusproto.testing")


def fake_class(out: PythonFile, file: model.File, service: model.Service) -> None:
    nexus_module = out.module(Module(file.python_module))
    testing = out.module(TESTING)
    _answers_class(out, testing, service)
    out.blank(2)
    header = f"class {service.fake_class}({testing}.Fake, {nexus_module}.{service.handler_class}):"
    with out.block(header):
        given_nothing = (
            "non-retryable NOT_IMPLEMENTED error, except a workflow-run operation,\n"
            "which starts its workflow."
        )
        if any(op.starts_temporal_operation for op in service.operations):
            given_nothing = (
                "non-retryable NOT_IMPLEMENTED error, except a workflow-run operation,\n"
                "an asynchronous update or an activity-backed one, which starts what\n"
                "backs it."
            )
        out.docstring(
            f"A {service.handler_class} for tests, answering what the test says.\n"
            "\n"
            "Give each operation a response, a function of the request (sync or async)\n"
            f"or an exception to raise. An operation given nothing fails with a\n{given_nothing}"
            " ``fake.calls[name]`` lists the requests received."
        )
        out.blank()
        unpack = out.ref_name(TYPING_EXTENSIONS, "Unpack")
        # `self` positional-only: an operation may be called `self` too.
        out.bracketed(
            "def __init__(",
            ["self", "/", f"**answers: {unpack}[{service.fake_answers_class}]"],
            " -> None:",
        )
        with out.indented():
            out.line("super().__init__(**answers)")
        for operation in service.operations:
            out.blank()
            _operation(out, operation)


def _answers_class(out: PythonFile, testing: str, service: model.Service) -> None:
    """The fake's keyword arguments, one per operation: a TypedDict, so that an
    operation's Python name never meets the constructor's own parameters."""
    typed_dict = out.ref_name(TYPING, "TypedDict")
    with out.block(f"class {service.fake_answers_class}({typed_dict}, total=False):"):
        out.docstring(f"What {service.fake_class} answers, by operation (each optional).")
        out.blank()
        for operation in service.operations:
            output = payload_type(out, operation.output)
            if operation.input.is_empty:
                kind, types = "NoInputAnswer", [output]
            else:
                kind, types = "Answer", [payload_type(out, operation.input), output]
            one_line = f"{operation.attribute}: {testing}.{kind}[{', '.join(types)}]"
            if out.fits(one_line):
                out.line(one_line)
            else:
                out.bracketed(f"{operation.attribute}: {testing}.{kind}[", types, "", close="]")


def _operation(out: PythonFile, operation: model.Operation) -> None:
    output = payload_type(out, operation.output)
    parameters = ["self"]
    request = "None"
    temporal = operation.starts_temporal_operation
    if operation.workflow_run is not None:
        parameters.append(f"ctx: {out.ref_name(TEMPORAL_NEXUS, 'WorkflowRunOperationContext')}")
    elif temporal:
        parameters.append(f"ctx: {out.ref_name(TEMPORAL_NEXUS, 'TemporalStartOperationContext')}")
        parameters.append(f"client: {out.ref_name(TEMPORAL_NEXUS, 'TemporalNexusClient')}")
    else:
        parameters.append(f"ctx: {out.ref_name(NEXUSRPC, 'handler.StartOperationContext')}")
    if not operation.input.is_empty:
        parameters.append(f"request: {payload_type(out, operation.input)}")
        request = "request"
    if temporal:
        result = f"{out.ref_name(TEMPORAL_NEXUS, 'TemporalOperationResult')}[{output}]"
        out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {result}:")
        with out.indented():
            # Given nothing: record the request, then the generated body starts the
            # update or the activity.
            out.line(f"self.calls[{quoted(operation.attribute)}].append({request})")
            arguments = "ctx, client" if operation.input.is_empty else "ctx, client, request"
            out.line(f"return await super().{operation.attribute}({arguments})")
        return
    if operation.workflow_run is None:
        out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {output}:")
        with out.indented():
            answered = f"await self._fake_answer({quoted(operation.attribute)}, {request})"
            if operation.output.is_empty:
                out.line(answered)
            else:
                cast = out.ref_name(TYPING, "cast")
                out.bracketed(f"return {cast}(", [output, answered], "")
        return
    handle = f"{out.ref_name(TEMPORAL_NEXUS, 'WorkflowHandle')}[{output}]"
    out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {handle}:")
    with out.indented():
        # Given nothing: record the request, then the generated body starts the workflow.
        out.line(f"self.calls[{quoted(operation.attribute)}].append({request})")
        arguments = "ctx" if operation.input.is_empty else "ctx, request"
        out.line(f"return await super().{operation.attribute}({arguments})")


def generate_testing_file(file: model.File) -> str:
    modules = {TESTING, Module(file.python_module), NEXUSRPC, TYPING, TYPING_EXTENSIONS}
    modules |= message_modules(file)
    if any(op.outlives_request for service in file.services for op in service.operations):
        modules.add(TEMPORAL_NEXUS)
    defined = defined_names(
        file,
        lambda service: (service.fake_class, service.fake_answers_class),
        lambda operation: (operation.attribute,),
    )
    out = PythonFile(modules, defined)
    keyword_message_aliases(out, file)
    for service in file.services:
        out.blank(2)
        fake_class(out, file, service)
    names = ", ".join(service.fake_class for service in file.services)
    return out.render(
        [
            "Generated by protoc-gen-nexus-python. DO NOT EDIT.",
            f"source: {file.proto_path}",
        ],
        f"Test doubles of the Temporal Nexus contract of {file.proto_path}: {names}.\n\n"
        "Import it from tests only; see nexusproto.testing.",
    )
