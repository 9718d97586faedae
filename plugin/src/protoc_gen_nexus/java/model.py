"""The contract with its Java names: what the Java generator sees.

Each class wraps its language-neutral counterpart (`contract`) and adds what
only Java needs: packages, class and method names, all decided by
`protoc_gen_nexus.java.resolve` and checked there for collisions.
"""

from dataclasses import dataclass

from protoc_gen_nexus import model as contract_model
from protoc_gen_nexus.java.writer import JavaIdent


@dataclass(frozen=True)
class Message:
    contract: contract_model.Message
    ident: JavaIdent | None
    """The message's class; None for google.protobuf.Empty, which is no parameter
    (input) or `Void` (output) on either side."""


@dataclass(frozen=True)
class TemplateTerm:
    """A piece of a workflow ID: literal text, or a request field read by its getter."""

    literal: str = ""
    getter: str = ""
    format: str = ""
    """For a field: "" (a string), `number` (a signed integer, as `+` writes it),
    `unsigned int` or `unsigned long` (written unsigned), `enum` (its number)."""


@dataclass(frozen=True)
class Operation:
    contract: contract_model.Operation
    method: str
    """The method in the definition, the handler, the caller: `processPayment`."""
    start_method: str
    """The caller's method that starts it and returns the handle: `startProcessPayment`."""
    name_constant: str
    """The constant holding the wire name: `PROCESS_PAYMENT_OPERATION`."""
    workflow_constant: str
    """For a workflow-run operation, the constant holding its `dev.nexusproto.WorkflowRun`;
    for an update, signal or query, the one holding its `dev.nexusproto.WorkflowEntity`."""
    input: Message
    output: Message
    workflow_id: tuple[TemplateTerm, ...] | None
    """The ID of the workflow a workflow-run, update, signal or query operation reaches,
    from its template; None for the default ID."""


@dataclass(frozen=True)
class Workflow:
    """A workflow type the service's workflow-run operations start, with one signature."""

    workflow_type: str
    interface: str
    input: Message
    output: Message
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Service:
    contract: contract_model.Service
    package: str
    """The Java package: `java_package`, else the proto package."""
    class_name: str
    """The generated top-level class: `PaymentServiceNexus`."""
    output_path: str
    definition: str
    """The `@Service` interface, nested: `PaymentService`."""
    handler: str
    implementation: str
    caller: str
    operations: tuple[Operation, ...]
    workflows: tuple[Workflow, ...]
    declared: tuple[str, ...]
    """Every type and field name the class declares (simple names of classes avoid them)."""
    package_classes: tuple[str, ...]
    """Top-level classes protoc-gen-java declares in the same package."""


@dataclass(frozen=True)
class File:
    contract: contract_model.File
    services: tuple[Service, ...]
