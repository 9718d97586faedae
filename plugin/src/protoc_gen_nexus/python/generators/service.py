"""The `nexusrpc` service definition: the contract both callers and handlers use."""

from protoc_gen_nexus.python import model
from protoc_gen_nexus.python.generators.shared import NEXUSRPC, payload_type, quoted
from protoc_gen_nexus.python.writer import PythonFile


def service_definition(out: PythonFile, service: model.Service) -> None:
    nexusrpc = out.module(NEXUSRPC)
    out.line(f"@{nexusrpc}.service(name={quoted(service.name)})")
    with out.block(f"class {service.class_name}:"):
        out.docstring(service.comment or f"Nexus service {service.name}.")
        for operation in service.operations:
            out.blank()
            _operation_attribute(out, nexusrpc, operation)
            if operation.comment:
                out.docstring(operation.comment)


def _operation_attribute(out: PythonFile, nexusrpc: str, operation: model.Operation) -> None:
    input_type = payload_type(out, operation.input)
    output_type = payload_type(out, operation.output)
    value = f"{nexusrpc}.Operation(name={quoted(operation.name)})"
    annotation = f"{nexusrpc}.Operation[{input_type}, {output_type}]"
    one_line = f"{operation.attribute}: {annotation} = {value}"
    if out.fits(one_line):
        out.line(one_line)
        return
    out.bracketed(
        f"{operation.attribute}: {nexusrpc}.Operation[",
        [input_type, output_type],
        f" = {value}",
        close="]",
    )
