"""The resolved model: what the generators see, with every name and option decided.

Generators read it and decide nothing: every Python name comes from `naming`
(computed once here, collision-checked by the resolver), every option is
already validated and combined with its service-level default.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from protoc_gen_nexus_python.errors import Location

EMPTY = "google.protobuf.Empty"


@dataclass(frozen=True)
class Message:
    """A message type used as an operation input or output."""

    full_name: str
    """Proto full name, for example `payments.v1.ProcessPaymentRequest`."""
    python_module: str
    """Module of its generated class, after module mapping: `payments.v1.payments_pb2`."""
    qualname: str
    """Class path inside that module: `ProcessPaymentRequest`, or `Outer.Inner` when nested."""
    field_names: tuple[str, ...]
    has_validation_rules: bool
    """True when the message, or a message it holds, carries buf.validate rules."""
    alias: str = ""
    """For a message whose class path has a Python keyword (`message class`): the
    module-level name generated code refers to it by; empty for every other message."""

    @property
    def is_empty(self) -> bool:
        return self.full_name == EMPTY


@dataclass(frozen=True)
class TemplatePart:
    """A piece of a workflow ID template: literal text, then a request field or nothing."""

    literal: str
    field: str | None


@dataclass(frozen=True)
class WorkflowRun:
    """A workflow-run operation's binding to the workflow behind it."""

    workflow_type: str
    id_template: tuple[TemplatePart, ...]
    """The ID as literal text and request fields; empty means the retry-safe default."""
    task_queue: str
    id_reuse_policy: str
    """Member name of `temporalio.common.WorkflowIDReusePolicy`, or empty for the SDK default."""
    id_conflict_policy: str
    """Member name of `temporalio.common.WorkflowIDConflictPolicy`, or empty for the SDK default."""


@dataclass(frozen=True)
class WorkflowStart:
    """How an update or signal starts its workflow when none runs with the ID."""

    workflow_type: str
    task_queue: str


EntityKind = Literal["update", "signal", "query"]


@dataclass(frozen=True)
class WorkflowEntity:
    """An operation's binding to an update, signal or query of a long-lived workflow."""

    kind: EntityKind
    handler_name: str
    """The update's, signal's or query's name on the workflow."""
    id_template: tuple[TemplatePart, ...]
    workflow_type: str
    """The workflow type the ID belongs to: declared, the start's, or inferred."""
    start: WorkflowStart | None


@dataclass(frozen=True)
class ContractMember:
    """What one operation needs from a workflow: its run method, or one handler."""

    kind: Literal["run", "update", "signal", "query"]
    name: str
    """The Python method the workflow class defines: `run`, or the handler's name."""
    inputs: tuple[Message, ...]
    """Its argument: one message, or for `run` those of every operation starting it."""
    outputs: tuple[Message, ...]
    """Its result: one message; for `run` those the operations wait for, maybe none;
    none for a signal."""
    operations: tuple["Operation", ...]
    """The operations that need it, in contract order."""


@dataclass(frozen=True)
class WorkflowContract:
    """The typed Protocol a workflow class the contract reaches is checked against."""

    workflow_type: str
    class_name: str
    members: tuple[ContractMember, ...]
    unchecked: tuple[str, ...]
    """Methods no Protocol member can stand for, each with the reason, for the docstring."""


@dataclass(frozen=True)
class Operation:
    method_name: str
    """The proto method name."""
    name: str
    """The Nexus operation name on the wire."""
    attribute: str
    """Python attribute of the service definition, and method name of handler and callers."""
    start_method: str
    """The callers' method that starts the operation and returns its handle."""
    timeout_constant: str
    """The callers' class constant holding the default schedule-to-close timeout."""
    input: Message
    output: Message
    comment: str
    location: Location
    workflow_run: WorkflowRun | None
    entity: WorkflowEntity | None
    """Set for an update, signal or query of a long-lived workflow (a sync operation)."""
    schedule_to_close_timeout: timedelta | None
    """The operation's own timeout, else its service's default, else none."""
    validate_request: bool
    """Both sides check the request: it has rules and validation is on."""
    validate_response: bool
    """The handler checks its response: it has rules and validation is on."""
    tags: tuple[str, ...] = ()
    """`(nexusannotations.v1.operation).tags`, as the tag filters read them."""


@dataclass(frozen=True)
class Service:
    proto_name: str
    name: str
    """The Nexus service name on the wire."""
    class_name: str
    """Python name of the service definition class; other generated classes derive from it."""
    handler_class: str
    workflow_client_class: str
    standalone_client_class: str
    fake_class: str
    """The test double in the `_nexus_testing` module."""
    fake_answers_class: str
    """The TypedDict of the fake's keyword arguments, beside it."""
    comment: str
    location: Location
    operations: tuple[Operation, ...]
    default_endpoint: str
    tags: tuple[str, ...] = ()
    """`(nexusannotations.v1.service).tags`, as the tag filters read them."""


@dataclass(frozen=True)
class File:
    proto_path: str
    output_path: str
    """Path of the generated `_nexus.py`, beside the `_pb2.py` protoc writes."""
    python_module: str
    """Import path of that `_nexus` module, after module mapping."""
    testing_output_path: str
    """Path of the generated `_nexus_testing.py` (the test doubles), beside it."""
    services: tuple[Service, ...]
    workflow_contracts: tuple[WorkflowContract, ...] = ()
