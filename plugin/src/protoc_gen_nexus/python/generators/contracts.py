"""`<Workflow>Contract`: a Protocol per workflow the contract starts or reaches.

The handler team checks its workflow class against it with one line a type
checker reads (`_: type[CartWorkflowContract] = CartWorkflow`), so an update
renamed on one side, or a message changed on the other, fails type checking
instead of failing calls.
"""

from protoc_gen_nexus.python import model
from protoc_gen_nexus.python.generators.shared import NEXUSPROTO, TYPING, payload_type, quoted
from protoc_gen_nexus.python.writer import PythonFile


def workflow_contract(out: PythonFile, contract: model.WorkflowContract) -> None:
    protocol = out.ref_name(TYPING, "Protocol")
    with out.block(f"class {contract.class_name}({protocol}):"):
        out.docstring(_doc(contract))
        for member in contract.members:
            out.blank()
            if member.kind == "run":
                _run(out, member)
            elif member.kind == "query":
                _query(out, member)
            else:
                _handler(out, member)


def _doc(contract: model.WorkflowContract) -> str:
    example = contract.class_name.removesuffix("Contract") or "MyWorkflow"
    text = (
        f"What the operations of this contract need from workflow {contract.workflow_type}.\n"
        "\n"
        "Check the workflow class against it where the class is defined:\n"
        "\n"
        f"    _: type[{contract.class_name}] = {example}\n"
    )
    if any(member.kind != "run" for member in contract.members) or contract.unchecked:
        text += "\nHandlers are matched by method name: the update, signal or query name."
    if contract.unchecked:
        text += f"\nNot checked here: {', '.join(contract.unchecked)}."
    return text


def _reached_by(member: model.ContractMember) -> str:
    # Wire names may hold any character; quoted, a comment cannot be broken by one.
    names = ", ".join(quoted(operation.name) for operation in member.operations)
    plural = "s" if len(member.operations) > 1 else ""
    return f"operation{plural} {names}"


def _method(
    out: PythonFile, head: str, member: model.ContractMember, argument: str, tail: str
) -> None:
    """`head(self, request: argument, /) tail` on one line if it fits; the argument is
    positional-only so the workflow may name it freely."""
    parameters = ["self"] if member.inputs[0].is_empty else ["self", f"request: {argument}", "/"]
    line = f"{head}({', '.join(parameters)}){tail}"
    if out.fits(line):
        out.line(line)
        return
    with out.indented():
        union_fits = out.fits(f"request: {argument},")
    if len(parameters) == 1 or union_fits:
        out.bracketed(f"{head}(", parameters, tail)
        return
    # A union too long for its line: one member a line, as ruff writes it.
    first, *rest = argument.split(" | ")
    out.line(f"{head}(")
    with out.indented():
        out.line("self,")
        out.line(f"request: {first}")
        for part in rest[:-1]:
            out.line(f"| {part}")
        out.line(f"| {rest[-1]},")
        out.line("/,")
    out.line(f"){tail}")


# Members are stubs (`...`, which type checkers read as "no body" in a
# Protocol); what each stands for is a comment above it.


def _run(out: PythonFile, member: model.ContractMember) -> None:
    argument = " | ".join(payload_type(out, message) for message in member.inputs)
    # One result, or `object`: a run that several operations expect different
    # results of cannot satisfy them all anyway, and none is checked then.
    results = [payload_type(out, message) for message in member.outputs]
    result = results[0] if len(results) == 1 else "object"
    out.line(f"# The workflow's run method, started by {_reached_by(member)}.")
    _method(out, "async def run", member, argument, f" -> {result}: ...")


def _query(out: PythonFile, member: model.ContractMember) -> None:
    argument = payload_type(out, member.inputs[0])
    result = payload_type(out, member.outputs[0])
    out.line(f"# Query {quoted(member.name)}, reached by {_reached_by(member)}.")
    _method(out, f"def {member.name}", member, argument, f" -> {result}: ...")


def _handler(out: PythonFile, member: model.ContractMember) -> None:
    """An update or signal: any method Temporal accepts for one, sync or async."""
    result = payload_type(out, member.outputs[0]) if member.outputs else "None"
    if member.inputs[0].is_empty:
        handler = f"{out.ref_name(NEXUSPROTO, 'NoArgWorkflowHandler')}[{result}]"
    else:
        argument = payload_type(out, member.inputs[0])
        handler = f"{out.ref_name(NEXUSPROTO, 'WorkflowHandler')}[{argument}, {result}]"
    what = f"{member.kind.capitalize()} {quoted(member.name)}"
    out.line(f"# {what}, reached by {_reached_by(member)}.")
    out.line("@property")
    line = f"def {member.name}(self) -> {handler}: ..."
    if out.fits(line):
        out.line(line)
    else:
        out.bracketed(f"def {member.name}(", ["self"], f" -> {handler}: ...")
