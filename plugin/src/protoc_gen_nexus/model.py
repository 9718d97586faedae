"""The contract, as every target language sees it: what the resolver decides once.

Nothing here is named for a language. Wire names, proto names, kinds, workflow
bindings, timeouts, endpoints, tags, comments and validation flags are facts of
the contract; each language's naming pass (`protoc_gen_nexus.python.resolve`,
`protoc_gen_nexus.go.resolve`) adds its identifiers on top, and the catalogue and
`nexus-contract` read this model directly.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, NamedTuple

from protoc_gen_nexus.errors import Location

EMPTY = "google.protobuf.Empty"


class Field(NamedTuple):
    """A field of a message, as ID templates read it (a tuple: messages hold many)."""

    name: str
    kind: str
    """The field's type as `.proto` spells a scalar (`string`, `int64`, `bool`, ...), or
    `enum`, `message`, `group`."""
    repeated: bool
    """Repeated or map: a list of values, not one."""


@dataclass(frozen=True)
class Message:
    """A message type used as an operation input or output."""

    full_name: str
    """Proto full name, for example `payments.v1.ProcessPaymentRequest`."""
    proto_file: str
    """The .proto file declaring it, as protoc names it: `payments/v1/payments.proto`."""
    qualname: str
    """Its name inside that file: `ProcessPaymentRequest`, or `Outer.Inner` when nested."""
    has_validation_rules: bool
    """True when the message, or a message it holds, carries buf.validate rules."""
    read_fields: Callable[[], tuple[Field, ...]] = field(compare=False, repr=False)
    """Reads `fields` from the descriptor, once and only when asked: few messages are
    read field by field (ID templates), and reading every message's costs time."""

    @functools.cached_property
    def fields(self) -> tuple[Field, ...]:
        return self.read_fields()

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    @property
    def is_empty(self) -> bool:
        """`google.protobuf.Empty`: no payload on the wire, in every language."""
        return self.full_name == EMPTY


@dataclass(frozen=True)
class TemplatePart:
    """A piece of a workflow ID template: literal text, then a request field or nothing."""

    literal: str
    field: str | None


def template_text(parts: tuple[TemplatePart, ...]) -> str:
    """An ID template as the contract writes it: fields in braces, literal braces doubled."""
    return "".join(
        part.literal.replace("{", "{{").replace("}", "}}")
        + (f"{{{part.field}}}" if part.field is not None else "")
        for part in parts
    )


@dataclass(frozen=True)
class WorkflowRun:
    """A workflow-run operation's binding to the workflow behind it."""

    workflow_type: str
    id_template: tuple[TemplatePart, ...]
    """The ID as literal text and request fields; empty means the retry-safe default."""
    task_queue: str
    id_reuse_policy: str
    """Temporal's policy name without its prefix (`REJECT_DUPLICATE`), or empty for the
    SDK default."""
    id_conflict_policy: str
    """Likewise (`USE_EXISTING`), or empty for the SDK default."""


@dataclass(frozen=True)
class WorkflowStart:
    """How an update or signal starts its workflow when none runs with the ID."""

    workflow_type: str
    task_queue: str


@dataclass(frozen=True)
class RetryPolicy:
    """Temporal's retry policy of an activity; unset values are None (or empty)."""

    initial_interval: timedelta | None
    backoff_coefficient: float | None
    maximum_interval: timedelta | None
    maximum_attempts: int
    """0: no limit."""
    non_retryable_error_types: tuple[str, ...]


@dataclass(frozen=True)
class ActivityBinding:
    """An activity-backed operation's binding to the activity it starts."""

    activity_type: str
    id_template: tuple[TemplatePart, ...]
    """The activity ID as literal text and request fields; empty means the retry-safe
    default derived from the Nexus request ID."""
    task_queue: str
    schedule_to_close_timeout: timedelta | None
    start_to_close_timeout: timedelta | None
    heartbeat_timeout: timedelta | None
    retry_policy: RetryPolicy | None


EntityKind = Literal["update", "signal", "query"]

OperationKind = Literal[
    "sync", "workflow_run", "update", "async_update", "signal", "query", "activity"
]


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
    asynchronous: bool = False
    """An update answered once accepted, completing when the update does."""


@dataclass(frozen=True)
class Operation:
    method_name: str
    """The proto method name."""
    name: str
    """The Nexus operation name on the wire."""
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
    activity: ActivityBinding | None = None
    """Set for an activity-backed operation."""

    @property
    def kind(self) -> OperationKind:
        """What the generated handler does: nothing (`sync`, the team's code), start a
        workflow or an activity, or reach an update (answered at once, or once accepted:
        `async_update`), signal or query of a workflow."""
        if self.workflow_run is not None:
            return "workflow_run"
        if self.activity is not None:
            return "activity"
        if self.entity is not None:
            if self.entity.kind == "update" and self.entity.asynchronous:
                return "async_update"
            return self.entity.kind
        return "sync"

    @property
    def outlives_request(self) -> bool:
        """The operation may complete after its start answered (asynchronously)."""
        return self.kind in ("workflow_run", "async_update", "activity")

    @property
    def starts_temporal_operation(self) -> bool:
        """Its handler starts an update or activity through the SDK's `temporal_operation`."""
        return self.kind in ("async_update", "activity")


@dataclass(frozen=True)
class Service:
    proto_name: str
    """The proto service name, `PaymentService`."""
    full_name: str
    """The proto full name, `payments.v1.PaymentService`."""
    name: str
    """The Nexus service name on the wire."""
    comment: str
    location: Location
    operations: tuple[Operation, ...]
    default_endpoint: str
    tags: tuple[str, ...] = ()
    """`(nexusannotations.v1.service).tags`, as the tag filters read them."""


@dataclass(frozen=True)
class File:
    proto_path: str
    package: str
    """The proto package, possibly empty."""
    services: tuple[Service, ...]
