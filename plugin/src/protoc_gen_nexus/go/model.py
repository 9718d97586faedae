"""The contract with its Go names: what the Go generator sees.

Each class wraps its language-neutral counterpart (`contract`) and adds what
only Go needs: import paths, package and type names, and the identifiers this
plugin declares, all decided by `protoc_gen_nexus.go.resolve` and checked
there for collisions.
"""

from dataclasses import dataclass

from protoc_gen_nexus import model as contract_model
from protoc_gen_nexus.go.writer import GoIdent


@dataclass(frozen=True)
class Message:
    contract: contract_model.Message
    ident: GoIdent | None
    """The message's Go type (used as `*Type`); None for google.protobuf.Empty,
    which is `nexus.NoValue` on either side."""


@dataclass(frozen=True)
class TemplateTerm:
    """A piece of a workflow ID: literal text, or a request field read by its getter
    (`GetTransactionId`) and formatted as the Python output formats it."""

    literal: str = ""
    getter: str = ""
    format: str = ""
    """For a field: "" (a string), `FormatInt` or `FormatUint` (strconv, base 10)."""


@dataclass(frozen=True)
class Template:
    """A workflow ID built from the request: `"refund-" + request.GetTransactionId()`."""

    terms: tuple[TemplateTerm, ...]


@dataclass(frozen=True)
class Operation:
    contract: contract_model.Operation
    go_name: str
    """Method name in the handler interface and the clients: `ProcessPayment`."""
    name_constant: str
    timeout_constant: str
    """Empty when the contract sets no schedule-to-close timeout."""
    reference: str
    """The typed `nexus.OperationReference` variable."""
    call_contract: str
    """The unexported `nexusproto.CallContract` variable."""
    input: Message
    output: Message
    workflow_id: Template | None
    """For a workflow-run or entity operation with an ID template; None for the default."""


@dataclass(frozen=True)
class Service:
    contract: contract_model.Service
    go_name: str
    name_constant: str
    endpoint_constant: str
    """Empty when the contract names no default endpoint."""
    handler: str
    unimplemented: str
    must_embed: str
    constructor: str
    workflow_client: str
    workflow_client_constructor: str
    standalone_client: str
    standalone_client_constructor: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Workflow:
    """A workflow type the file's workflow-run operations start."""

    workflow_type: str
    name_constant: str
    function_type: str
    """The Go function type the workflow must have; empty when its operations disagree
    on the request or result type, so no one signature fits."""
    register: str
    input: Message
    output: Message
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class File:
    contract: contract_model.File
    output_path: str
    import_path: str
    package: str
    services: tuple[Service, ...]
    workflows: tuple[Workflow, ...]
    declared: tuple[str, ...]
    """Every package-level name the file declares (import names avoid them)."""
