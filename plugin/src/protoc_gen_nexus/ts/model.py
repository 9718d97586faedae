"""The contract with its TypeScript names: what the TypeScript generator sees.

Each class wraps its language-neutral counterpart and adds what only
TypeScript needs: the modules and names protoc-gen-es gives the messages, and
the identifiers this plugin declares, all decided and checked for collisions
by `protoc_gen_nexus.ts.resolve`.
"""

from dataclasses import dataclass

from protoc_gen_nexus import model as contract_model
from protoc_gen_nexus.ts.writer import TsIdent


@dataclass(frozen=True)
class Message:
    contract: contract_model.Message
    type: TsIdent | None
    """The protobuf-es message type; None for google.protobuf.Empty, which is `void`:
    no payload on the wire."""
    schema: TsIdent | None
    """Its schema constant (`ProcessPaymentRequestSchema`); None for Empty."""


@dataclass(frozen=True)
class TemplateTerm:
    """A piece of a workflow ID: literal text, or a request property (`transactionId`)."""

    literal: str = ""
    property: str = ""


@dataclass(frozen=True)
class Operation:
    contract: contract_model.Operation
    key: str
    """The operation's key in the service definition, the handler and the clients:
    `processPayment`."""
    start_method: str
    """The workflow client's method that starts it and returns a handle: `startProcessPayment`."""
    input: Message
    output: Message
    workflow_id: tuple[TemplateTerm, ...] | None
    """For a workflow-run or entity operation with an ID template; None for the default."""


@dataclass(frozen=True)
class Service:
    contract: contract_model.Service
    definition: str
    """The `nexus.service(...)` constant: `paymentService`."""
    endpoint_constant: str
    """Empty when the contract names no default endpoint."""
    contract_constant: str
    """The operations' contracts (timeouts, validation): `paymentServiceContract`."""
    workflow_client: str
    handlers: str
    """The interface the team implements: `PaymentServiceHandlers`."""
    bindings: str
    """The generated workflow bindings, as an object: `paymentServiceBindings`."""
    handler_factory: str
    standalone_client: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class File:
    contract: contract_model.File
    definition_path: str
    """`payments/v1/payments_nexus.ts`: definition, registry, workflow client."""
    handler_path: str
    """`payments/v1/payments_nexus_handler.ts`: worker only."""
    client_path: str
    """`payments/v1/payments_nexus_client.ts`: the standalone client, application code."""
    definition_module: str
    """How the other two import the definition file: `./payments_nexus`."""
    services: tuple[Service, ...]
    runtime: str
    declared: frozenset[str]
    """Every top-level name the generated files declare (imports avoid them)."""
