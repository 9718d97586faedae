"""The Nexus contracts a program can see: generated `_nexus.py` modules, found and described.

Nothing is parsed twice: a contract is what protoc-gen-nexus-python generated,
read back from the imported modules.

- The service definition (`@nexusrpc.service`) gives the wire names of the
  service and its operations, the Python names and the message classes.
- The generated handler base gives each operation's kind (sync or
  workflow-run) and whether requests and responses are validated.
- The generated standalone client gives the default endpoint (its `endpoint`
  parameter's default) and the default schedule-to-close timeouts (its class
  constants), the values its calls apply.
- The proto service descriptor in the `_pb2` module beside the `_nexus` module
  gives what the generated code only holds in method bodies: the workflow a
  workflow-run operation starts, and the update, signal or query an operation
  is bound to (`(nexusproto.v1.operation)`).

    contracts = nexusproto.contracts.load(["gen"])        # a directory, or module names
    operation = contracts.operation("payments.v1.PaymentService/ProcessPayment")

Names are looked up by wire name or Python name; an unknown name raises
`UnknownNameError`, which lists the close matches.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import nexusrpc
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from typing_extensions import Unpack

from nexusannotations.v1 import options_pb2 as standard_options
from nexusproto import handler as _handler
from nexusproto.callers import StandaloneCallOptions
from nexusproto.v1 import options_pb2 as nexusproto_options

__all__ = [
    "ContractError",
    "Contracts",
    "Operation",
    "Service",
    "UnknownNameError",
    "WorkflowBinding",
    "load",
    "start_standalone",
]

NEXUS_MODULE_SUFFIX = "_nexus"
"""protoc-gen-nexus-python writes `foo_nexus.py` beside protoc's `foo_pb2.py`."""

# Directories never holding contracts, skipped when a directory is searched.
_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages"})


class ContractError(Exception):
    """A contract source cannot be read: a missing directory, a module that fails to import."""


class UnknownNameError(LookupError):
    """A service or operation name that no loaded contract has; the message lists close matches."""

    def __init__(self, message: str, matches: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.matches = list(matches)


@dataclass(frozen=True)
class WorkflowBinding:
    """The workflow behind an operation, as `(nexusproto.v1.operation)` declares it."""

    kind: Literal["workflow-run", "update", "signal", "query"]
    workflow_type: str
    """The workflow's type; empty when the contract leaves it unknown."""
    name: str = ""
    """The update, signal or query name (empty for workflow-run)."""
    id_template: str = ""
    """Workflow ID built from request fields, as in `cart-{cart_id}`; empty: derived."""
    task_queue: str = ""
    """Task queue of a started workflow; empty: the handler worker's own."""
    starts_workflow: bool = False
    """An update or signal that starts the workflow when none runs (with-start)."""


@dataclass(frozen=True)
class ActivityBinding:
    """The activity behind an activity-backed operation, as the contract declares it."""

    activity_type: str
    id_template: str = ""
    """Activity ID built from request fields; empty: derived from the request ID."""
    task_queue: str = ""
    """Empty: the handler worker's own."""


@dataclass(frozen=True)
class Operation:
    name: str
    """The wire name, as in `ProcessPayment` or `refund-payment`."""
    method_name: str
    """The Python name of the generated methods, as in `process_payment`."""
    service_name: str
    """The wire name of the service."""
    definition: nexusrpc.Operation[Any, Any]
    """The service definition's attribute, as in `PaymentService.process_payment`."""
    input_type: type[Message] | None
    """The request message class; None for `google.protobuf.Empty` (no payload)."""
    output_type: type[Message] | None
    """The response message class; None for `google.protobuf.Empty` (no payload)."""
    kind: _handler.Kind
    """How the handler answers: `sync`, or with a workflow (`workflow_run`), an update
    answered once accepted (`async_update`) or an activity (`activity`) to await."""
    validates_request: bool
    """Generated callers and handlers check requests against their buf.validate rules."""
    validates_response: bool
    timeout: timedelta | None
    """The schedule-to-close timeout generated callers apply when a call sets none."""
    binding: WorkflowBinding | None
    """The workflow the generated handler reaches; None for a plain operation."""
    doc: str
    activity: ActivityBinding | None = None
    """The activity an activity-backed operation starts."""

    @property
    def qualified_name(self) -> str:
        """`service/operation`, the form `Contracts.operation` accepts."""
        return f"{self.service_name}/{self.name}"


@dataclass(frozen=True)
class Service:
    name: str
    """The wire name, as in `payments.v1.PaymentService` or `carts`."""
    class_name: str
    """The service definition class, as in `PaymentService`."""
    module: str
    """The generated module, as in `payments.v1.payments_nexus`."""
    definition: type[Any]
    """The `@nexusrpc.service` class."""
    standalone_client: type[Any] | None
    """The generated `<Service>StandaloneClient`, which makes standalone calls."""
    default_endpoint: str | None
    """The endpoint generated callers use when a call names none."""
    proto_name: str | None
    """The full name of the proto service, when its descriptor was found."""
    doc: str
    operations: tuple[Operation, ...]

    def operation(self, name: str) -> Operation:
        """The operation with this wire name or Python name."""
        for operation in self.operations:
            if name in _operation_names(operation):
                return operation
        matches = _close(name, {n: op.name for op in self.operations for n in _operation_names(op)})
        known = ", ".join(op.name for op in self.operations)
        hint = f"did you mean {_alternatives(matches)}?" if matches else f"it has {known}"
        raise UnknownNameError(f"service {self.name} has no operation {name!r}; {hint}", matches)


@dataclass(frozen=True)
class Contracts:
    """Every Nexus service of the loaded generated modules, in a stable order."""

    services: tuple[Service, ...]

    def service(self, name: str) -> Service:
        """The service with this wire name, Python class name (plain or qualified with its
        module) or proto full name."""
        found = [service for service in self.services if name in _service_names(service)]
        unique = {service.name: service for service in found}
        if len(unique) == 1:
            first = found[0]
            others = [s.module for s in found if s.module != first.module]
            if others:
                raise UnknownNameError(
                    f"service {first.name} is defined by more than one module "
                    f"({', '.join([first.module, *others])}); load only one of them"
                )
            return first
        if len(unique) > 1:
            raise UnknownNameError(
                f"{name!r} names more than one service ({', '.join(sorted(unique))}); "
                "use the wire name"
            )
        if not self.services:
            raise UnknownNameError(f"unknown service {name!r}: no Nexus service was loaded")
        matches = _close(name, {n: s.name for s in self.services for n in _service_names(s)})
        hint = (
            f"did you mean {_alternatives(matches)}?"
            if matches
            else f"known services: {', '.join(s.name for s in self.services)}"
        )
        raise UnknownNameError(f"unknown service {name!r}; {hint}", matches)

    def operation(self, name: str) -> Operation:
        """The operation named `service/operation` (wire or Python names)."""
        service, operation = self.find(name)
        if operation is None:
            raise UnknownNameError(
                f"{name!r} names a service, not an operation; write SERVICE/OPERATION, "
                f"one of: {', '.join(op.qualified_name for op in service.operations)}"
            )
        return operation

    def find(self, name: str) -> tuple[Service, Operation | None]:
        """`SERVICE` or `SERVICE/OPERATION`: the service, and the operation if one is named."""
        if "/" not in name or any(name in _service_names(s) for s in self.services):
            return self.service(name), None
        # Service names may hold a slash; the operation is after the last one that
        # leaves a known service on the left.
        cut = name.rfind("/")
        while cut > 0:
            left = name[:cut]
            if any(left in _service_names(s) for s in self.services):
                service = self.service(left)
                return service, service.operation(name[cut + 1 :])
            cut = name.rfind("/", 0, cut)
        return self.service(name.rpartition("/")[0]), None  # raises, naming close matches


def _service_names(service: Service) -> tuple[str, ...]:
    names = (service.name, service.class_name, f"{service.module}.{service.class_name}")
    return (*names, service.proto_name) if service.proto_name else names


def _operation_names(operation: Operation) -> tuple[str, str]:
    return (operation.name, operation.method_name)


def _close(name: str, candidates: Mapping[str, str]) -> list[str]:
    """The wire names whose wire or Python names are close to `name`, closest first."""
    folded: dict[str, str] = {}
    for candidate, wire_name in candidates.items():
        folded.setdefault(candidate.lower(), wire_name)
    close = difflib.get_close_matches(name.lower(), list(folded), n=6, cutoff=0.7)
    return list(dict.fromkeys(folded[match] for match in close))[:3]


def _alternatives(matches: Sequence[str]) -> str:
    return " or ".join(matches)


# --- loading ---------------------------------------------------------------------------


def load(sources: Sequence[str | Path]) -> Contracts:
    """Import the generated modules `sources` name and describe their services.

    A source is a directory (put on `sys.path`; every `*_nexus.py` below it is
    imported as the module its path names) or a dotted module name (a `_nexus`
    module, or a package searched like a directory). Raises ContractError when a
    source cannot be read.
    """
    modules: dict[str, ModuleType] = {}
    for source in sources:
        for name in _module_names(source):
            if name not in modules:
                modules[name] = _import(name)
    services = [service for module in modules.values() for service in services_of(module)]
    services.sort(key=lambda service: (service.name, service.module))
    return Contracts(tuple(services))


def _module_names(source: str | Path) -> list[str]:
    path = Path(source)
    if path.is_dir():
        root = str(path.resolve())
        if root not in sys.path:
            sys.path.insert(0, root)
        return nexus_modules_under(path)
    text = str(source)
    if path.exists():
        raise ContractError(f"{text} is not a directory (give a directory or a module name)")
    if not all(part.isidentifier() for part in text.split(".")):
        raise ContractError(f"{text}: no such directory (give a directory or a module name)")
    module = _import(text)
    locations = getattr(module, "__path__", None)
    if locations is None:
        return [text]
    return [
        f"{text}.{name}" for location in locations for name in nexus_modules_under(Path(location))
    ]


def nexus_modules_under(directory: Path) -> list[str]:
    """The module names of the `*_nexus.py` files below `directory`, relative to it."""
    names = []
    for file in sorted(directory.rglob(f"*{NEXUS_MODULE_SUFFIX}.py")):
        parts = file.relative_to(directory).with_suffix("").parts
        if any(part.startswith(".") or part in _SKIPPED_DIRECTORIES for part in parts[:-1]):
            continue
        if all(part.isidentifier() for part in parts):
            names.append(".".join(parts))
    return names


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise ContractError(
                f"{name}: no such directory, and no module of that name on the import path "
                "(give the directory holding the generated code, or put it on PYTHONPATH)"
            ) from error
        raise ContractError(f"cannot import contract module {name}: {error}") from error
    except Exception as error:  # a broken module: tell which one, without a traceback
        raise ContractError(
            f"cannot import contract module {name}: {type(error).__name__}: {error}"
        ) from error


def services_of(module: ModuleType) -> list[Service]:
    """The services generated into `module`, found through their generated handler bases."""
    services = []
    for value in vars(module).values():
        if not (inspect.isclass(value) and issubclass(value, _handler.ServiceHandler)):
            continue
        definition = vars(value).get("_nexusproto_service")
        if definition is None or getattr(definition, "__module__", None) != module.__name__:
            continue
        services.append(_service(module, definition, value))
    return services


def _service(module: ModuleType, definition_class: type[Any], base: type[Any]) -> Service:
    definition = nexusrpc.get_service_definition(definition_class)
    assert definition is not None  # ServiceHandler checks it when the base is declared
    client = vars(module).get(f"{definition_class.__name__}StandaloneClient")
    proto = _proto_service(module, definition_class.__name__, definition.name)
    methods = _proto_methods(proto)
    operations = []
    for op in definition.operation_definitions.values():
        validates_request, validates_response = _handler.declared_validation(base, op.method_name)
        timeout = getattr(client, _timeout_constant(op.method_name), None) if client else None
        operations.append(
            Operation(
                name=op.name,
                method_name=op.method_name,
                service_name=definition.name,
                definition=getattr(definition_class, op.method_name),
                input_type=_payload_type(op.input_type),
                output_type=_payload_type(op.output_type),
                kind=_handler.operation_kind(base, op.method_name),
                validates_request=validates_request,
                validates_response=validates_response,
                timeout=timeout if isinstance(timeout, timedelta) else None,
                binding=_binding(methods, op.name),
                doc=_doc(getattr(client, op.method_name, None)),
                activity=_activity(methods, op.name),
            )
        )
    return Service(
        name=definition.name,
        class_name=definition_class.__name__,
        module=module.__name__,
        definition=definition_class,
        standalone_client=client,
        default_endpoint=_default_endpoint(client),
        proto_name=proto.full_name if proto is not None else None,
        doc=_doc(definition_class),
        operations=tuple(operations),
    )


def _payload_type(payload: Any) -> type[Message] | None:
    if _handler.carries_no_payload(payload):
        return None
    assert isinstance(payload, type) and issubclass(payload, Message), payload
    return payload


def _timeout_constant(method_name: str) -> str:
    """The standalone client's class constant for an operation's default timeout
    (the generator's `naming.timeout_constant`)."""
    return f"{method_name.upper().rstrip('_')}_TIMEOUT"


def _default_endpoint(client: type[Any] | None) -> str | None:
    if client is None:
        return None
    parameter = inspect.signature(client.__init__).parameters.get("endpoint")
    if parameter is None or not isinstance(parameter.default, str):
        return None
    return parameter.default


def _doc(value: object) -> str:
    doc = getattr(value, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


# --- the proto service, for the workflow bindings ----------------------------------------


def _proto_service(module: ModuleType, class_name: str, wire_name: str) -> ServiceDescriptor | None:
    """The proto service a definition class was generated from, or None.

    Its `_pb2` module sits beside the `_nexus` one; the class is named after the
    proto service (with `_` appended to a name Python reserves), and the wire
    name is the standard annotation's, else the proto full name.
    """
    pb2_name = module.__name__.removesuffix(NEXUS_MODULE_SUFFIX) + "_pb2"
    try:
        pb2 = importlib.import_module(pb2_name)
    except ImportError:
        return None
    services = pb2.DESCRIPTOR.services_by_name
    for proto_name in (class_name, class_name.removesuffix("_")):
        service = services.get(proto_name)
        if service is None:
            continue
        options = _reparsed(service.GetOptions(), descriptor_pb2.ServiceOptions)
        if (options.Extensions[standard_options.service].name or service.full_name) == wire_name:
            return service  # type: ignore[no-any-return]
    return None


def _proto_methods(service: ServiceDescriptor | None) -> dict[str, descriptor_pb2.MethodOptions]:
    """Wire name -> the options of the proto method behind it."""
    methods: dict[str, descriptor_pb2.MethodOptions] = {}
    if service is None:
        return methods
    method: MethodDescriptor
    for method in service.methods:
        options = _reparsed(method.GetOptions(), descriptor_pb2.MethodOptions)
        methods[options.Extensions[standard_options.operation].name or method.name] = options
    return methods


def _reparsed(options: Message, cls: type[Any]) -> Any:
    """Options parsed again, now that the extension modules are surely imported: a
    descriptor loaded before them would hold its extensions as unknown fields."""
    return cls.FromString(options.SerializeToString())


def _binding(
    methods: dict[str, descriptor_pb2.MethodOptions], wire_name: str
) -> WorkflowBinding | None:
    options = methods.get(wire_name)
    if options is None:
        return None
    operation = options.Extensions[nexusproto_options.operation]
    which = _set_binding(operation)
    if which is None or which == "activity":
        return None
    if which == "workflow_run":
        run = operation.workflow_run
        return WorkflowBinding(
            "workflow-run",
            run.workflow_type,
            id_template=run.id_template,
            task_queue=run.task_queue,
        )
    bound = getattr(operation, which)
    kind = which.removeprefix("workflow_")
    start = _start_of(bound)
    return WorkflowBinding(
        kind,  # type: ignore[arg-type]
        _declared_type(bound) or _entity_type(methods, bound.id_template),
        name=getattr(bound, kind),
        id_template=bound.id_template,
        task_queue=start.task_queue.strip() if start is not None else "",
        starts_workflow=start is not None,
    )


def _activity(
    methods: dict[str, descriptor_pb2.MethodOptions], wire_name: str
) -> ActivityBinding | None:
    options = methods.get(wire_name)
    if options is None:
        return None
    operation = options.Extensions[nexusproto_options.operation]
    if _set_binding(operation) != "activity":
        return None
    bound = operation.activity
    return ActivityBinding(bound.activity_type, bound.id_template, bound.task_queue.strip())


_ENTITY_BINDINGS = ("workflow_update", "workflow_signal", "workflow_query")


def _set_binding(operation: Any) -> str | None:
    for name in ("workflow_run", *_ENTITY_BINDINGS, "activity"):
        if name in operation.DESCRIPTOR.fields_by_name and operation.HasField(name):
            return name
    return None


def _entity_type(methods: dict[str, descriptor_pb2.MethodOptions], id_template: str) -> str:
    """An unset workflow type: that of another operation on the same workflow IDs
    (`(nexusproto.v1.operation)`'s documented rule)."""
    for options in methods.values():
        operation = options.Extensions[nexusproto_options.operation]
        which = _set_binding(operation)
        if which in _ENTITY_BINDINGS:
            bound = getattr(operation, which)
            if bound.id_template == id_template and _declared_type(bound):
                return _declared_type(bound)
    return ""


def _start_of(bound: Any) -> Any:
    """The `WorkflowStart` of an update or signal that starts its workflow, else None."""
    has_start = "start" in bound.DESCRIPTOR.fields_by_name and bound.HasField("start")
    return bound.start if has_start else None


def _declared_type(bound: Any) -> str:
    """The workflow type an update, signal or query names, or its start's (blanks
    around it dropped, as the generator drops them)."""
    start = _start_of(bound)
    declared = str(bound.workflow_type).strip()
    return declared or (str(start.workflow_type).strip() if start is not None else "")


# --- calling -----------------------------------------------------------------------------


async def start_standalone(
    client: Any,
    service: Service,
    operation: Operation,
    request: Message | None,
    *,
    endpoint: str | None = None,
    **options: Unpack[StandaloneCallOptions],
) -> Any:
    """Start `operation` as a standalone Nexus operation through the generated client.

    The generated `<Service>StandaloneClient` applies what every call of it
    does: the contract's default endpoint and timeout, a fresh operation ID, the
    request's rules (raising `InvalidRequestError`, nothing sent). Returns its
    `temporalio.client.NexusOperationHandle`. `client` is a
    `temporalio.client.Client`; `endpoint=None` means the contract's default.
    """
    if service.standalone_client is None:
        raise ContractError(
            f"{service.module} has no {service.class_name}StandaloneClient; regenerate it "
            "with a protoc-gen-nexus-python that generates standalone clients"
        )
    if endpoint is None and service.default_endpoint is None:
        raise ContractError(f"service {service.name} has no default endpoint; name one")
    stub = (
        service.standalone_client(client)
        if endpoint is None
        else service.standalone_client(client, endpoint=endpoint)
    )
    start = getattr(stub, f"start_{operation.method_name}")
    if operation.input_type is None:
        return await start(**options)
    return await start(request, **options)
