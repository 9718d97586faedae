"""The Nexus contracts a program can see: generated `_nexus.py` modules, found and described.

Nothing is worked out twice: each generated module ends with `NEXUS_CONTRACT`
(`nexusproto.description`), the generator's own description of its services and
operations: wire and Python names, the generated classes, how each handler
answers, the workflow or activity behind an operation, default endpoint and
timeouts, validation flags. This module finds the modules, reads that, and adds
what the imported classes hold (message types, docstrings).

    contracts = nexusproto.contracts.load(["gen"])        # a directory, or module names
    operation = contracts.operation("payments.v1.PaymentService/ProcessPayment")

Names are looked up by wire name or Python name; an unknown name raises
`UnknownNameError`, which lists the close matches.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import inspect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import nexusrpc
from google.protobuf.message import Message
from typing_extensions import Unpack

from nexusproto import description
from nexusproto import handler as _handler
from nexusproto.callers import StandaloneCallOptions
from nexusproto.description import ActivityBinding, WorkflowBinding

__all__ = [
    "ActivityBinding",
    "ContractError",
    "Contracts",
    "Operation",
    "Service",
    "UnknownNameError",
    "WorkflowBinding",
    "load",
    "start_standalone",
]

DESCRIPTION = "NEXUS_CONTRACT"
"""The module-level description every generated module ends with (`nexusproto.description`)."""

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
    kind: description.Kind
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
    start_method: str = ""
    """The generated callers' method that starts it and returns a handle."""

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
    """The services generated into `module`, as its `NEXUS_CONTRACT` describes them.

    A module without one was generated by a release of protoc-gen-nexus-python
    before descriptions: a ContractError says to regenerate it.
    """
    described = vars(module).get(DESCRIPTION)
    if described is None:
        if not _has_generated_handler(module):
            return []  # a module named *_nexus that protoc-gen-nexus-python did not write
        raise ContractError(
            f"{module.__name__} was generated by an older protoc-gen-nexus-python and does not "
            f"describe its contract ({DESCRIPTION}); regenerate it with protoc-gen-nexus-python "
            f"{_version()} or newer"
        )
    if not isinstance(described, description.ContractDescription) or (
        described.format != description.FORMAT
    ):
        found = getattr(described, "format", None)
        raise ContractError(
            f"{module.__name__}: its {DESCRIPTION} has format {found!r}, which this nexusproto "
            f"({_version()}) does not read (it reads format {description.FORMAT}); generate the "
            "module and install nexusproto-runtime from the same release"
        )
    return [_service(module, service) for service in described.services]


def _has_generated_handler(module: ModuleType) -> bool:
    return any(
        inspect.isclass(value)
        and issubclass(value, _handler.ServiceHandler)
        and getattr(vars(value).get("_nexusproto_service"), "__module__", None) == module.__name__
        for value in vars(module).values()
    )


def _version() -> str:
    try:
        return importlib.metadata.version("nexusproto-runtime")
    except importlib.metadata.PackageNotFoundError:
        return "of this nexusproto's release"


def _service(module: ModuleType, described: description.ServiceDescription) -> Service:
    definition = nexusrpc.get_service_definition(described.definition)
    assert definition is not None  # ServiceHandler checks it when the base is declared
    client = described.standalone_client
    operations = []
    for facts in described.operations:
        op = definition.operation_definitions[facts.name]
        operations.append(
            Operation(
                name=facts.name,
                method_name=facts.python_name,
                service_name=described.name,
                definition=getattr(described.definition, facts.python_name),
                input_type=_payload_type(op.input_type),
                output_type=_payload_type(op.output_type),
                kind=facts.kind,
                validates_request=facts.validates_request,
                validates_response=facts.validates_response,
                timeout=facts.timeout,
                binding=facts.workflow,
                doc=_doc(getattr(client, facts.python_name, None)),
                activity=facts.activity,
                start_method=facts.start_method,
            )
        )
    return Service(
        name=described.name,
        class_name=described.definition.__name__,
        module=module.__name__,
        definition=described.definition,
        standalone_client=client,
        default_endpoint=described.default_endpoint or None,
        proto_name=described.proto_name,
        doc=_doc(described.definition),
        operations=tuple(operations),
    )


def _payload_type(payload: Any) -> type[Message] | None:
    if _handler.carries_no_payload(payload):
        return None
    assert isinstance(payload, type) and issubclass(payload, Message), payload
    return payload


def _doc(value: object) -> str:
    doc = getattr(value, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


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
    start = getattr(stub, operation.start_method)
    if operation.input_type is None:
        return await start(**options)
    return await start(request, **options)
