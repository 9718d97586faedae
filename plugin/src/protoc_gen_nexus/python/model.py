"""The contract with its Python names: what the Python generators see.

Each class wraps its language-neutral counterpart (`contract`) and adds what
only Python needs: module paths, class, method and constant names, aliases of
messages named with keywords, and the workflow Protocols. Every name comes
from `naming`, computed once by `protoc_gen_nexus.python.resolve` and
collision-checked there; the generators decide nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from protoc_gen_nexus import model as contract_model
from protoc_gen_nexus.errors import Location
from protoc_gen_nexus.model import (
    EMPTY,
    ActivityBinding,
    EntityKind,
    OperationKind,
    RetryPolicy,
    TemplatePart,
    WorkflowEntity,
    WorkflowRun,
    WorkflowStart,
)

__all__ = [
    "EMPTY",
    "ActivityBinding",
    "ContractMember",
    "EntityKind",
    "File",
    "Message",
    "Operation",
    "OperationKind",
    "RetryPolicy",
    "Service",
    "TemplatePart",
    "WorkflowContract",
    "WorkflowEntity",
    "WorkflowRun",
    "WorkflowStart",
]


@dataclass(frozen=True)
class Message:
    """A message type used as an operation input or output."""

    contract: contract_model.Message
    python_module: str
    """Module of its generated class, after module mapping: `payments.v1.payments_pb2`."""
    alias: str = ""
    """For a message whose class path has a Python keyword (`message class`): the
    module-level name generated code refers to it by; empty for every other message."""

    @property
    def full_name(self) -> str:
        return self.contract.full_name

    @property
    def qualname(self) -> str:
        """Class path inside the module: `ProcessPaymentRequest`, or `Outer.Inner`."""
        return self.contract.qualname

    @property
    def field_names(self) -> tuple[str, ...]:
        return self.contract.field_names

    @property
    def has_validation_rules(self) -> bool:
        return self.contract.has_validation_rules

    @property
    def is_empty(self) -> bool:
        return self.contract.is_empty


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
    contract: contract_model.Operation
    attribute: str
    """Python attribute of the service definition, and method name of handler and callers."""
    start_method: str
    """The callers' method that starts the operation and returns its handle."""
    timeout_constant: str
    """The callers' class constant holding the default schedule-to-close timeout."""
    input: Message
    output: Message

    @property
    def method_name(self) -> str:
        return self.contract.method_name

    @property
    def name(self) -> str:
        """The Nexus operation name on the wire."""
        return self.contract.name

    @property
    def comment(self) -> str:
        return self.contract.comment

    @property
    def location(self) -> Location:
        return self.contract.location

    @property
    def workflow_run(self) -> WorkflowRun | None:
        return self.contract.workflow_run

    @property
    def entity(self) -> WorkflowEntity | None:
        return self.contract.entity

    @property
    def activity(self) -> ActivityBinding | None:
        return self.contract.activity

    @property
    def kind(self) -> OperationKind:
        return self.contract.kind

    @property
    def outlives_request(self) -> bool:
        return self.contract.outlives_request

    @property
    def starts_temporal_operation(self) -> bool:
        return self.contract.starts_temporal_operation

    @property
    def schedule_to_close_timeout(self) -> timedelta | None:
        return self.contract.schedule_to_close_timeout

    @property
    def validate_request(self) -> bool:
        return self.contract.validate_request

    @property
    def validate_response(self) -> bool:
        return self.contract.validate_response

    @property
    def tags(self) -> tuple[str, ...]:
        return self.contract.tags


@dataclass(frozen=True)
class Service:
    contract: contract_model.Service
    class_name: str
    """Python name of the service definition class; other generated classes derive from it."""
    handler_class: str
    workflow_client_class: str
    standalone_client_class: str
    fake_class: str
    """The test double in the `_nexus_testing` module."""
    fake_answers_class: str
    """The TypedDict of the fake's keyword arguments, beside it."""
    operations: tuple[Operation, ...]

    @property
    def proto_name(self) -> str:
        return self.contract.proto_name

    @property
    def name(self) -> str:
        """The Nexus service name on the wire."""
        return self.contract.name

    @property
    def comment(self) -> str:
        return self.contract.comment

    @property
    def location(self) -> Location:
        return self.contract.location

    @property
    def default_endpoint(self) -> str:
        return self.contract.default_endpoint

    @property
    def tags(self) -> tuple[str, ...]:
        return self.contract.tags


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
