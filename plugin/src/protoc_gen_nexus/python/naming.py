"""How proto names become Python names: every rule for a generated identifier lives here.

The resolver computes each name once, with these functions, onto the model, and
checks the names that share a scope for collisions (`resolve.names`); the
generators only read the model. Import aliases are the writer's business.
"""

import builtins
import keyword
import re
from dataclasses import dataclass

_WORD_BOUNDARY_AFTER_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """`ProcessPayment` -> `process_payment`, `GetHTTPStatus` -> `get_http_status`."""
    name = _WORD_BOUNDARY_AFTER_ACRONYM.sub(r"\1_\2", name)
    name = _WORD_BOUNDARY.sub(r"\1_\2", name)
    return name.lower()


_BUILTINS = frozenset(dir(builtins))


def safe_identifier(name: str) -> str:
    """Append `_` to keywords and builtins: `class` -> `class_`, `type` -> `type_`.

    Keywords cannot be names at all; a builtin can, but a generated class or
    method named `str` would shadow the `str` later annotations refer to.
    Soft keywords other than builtins (`match`, `case`) stay as they are.
    """
    if keyword.iskeyword(name) or name in _BUILTINS:
        return name + "_"
    return name


LOCAL_NAMES = frozenset(
    {
        "self",
        "ctx",
        "request",
        "client",
        "endpoint",
        "options",
        "handle",
        "checked",
        "id",
        "summary",
        "headers",
        "start",
        "retry_policy",
    }
)
"""Parameter and local names of generated methods; import aliases avoid them."""

# Parameters and locals of generated methods whose bodies refer to the service
# class: a class of one of these names would be shadowed there.
_METHOD_LOCALS = frozenset(
    {"self", "ctx", "request", "client", "endpoint", "options", "handle", "checked"}
)

CLIENT_MEMBERS = ("__init__", "_client")
"""What every generated client class defines besides its operations' members."""


def class_identifier(name: str) -> str:
    """`safe_identifier` for a service class, which must not be a generated local either.

    `client.create_nexus_client(client, ...)` would pass the Temporal client
    where a service named `client` belongs; such a class becomes `client_`.
    """
    return name + "_" if name in _METHOD_LOCALS else safe_identifier(name)


@dataclass(frozen=True)
class ServiceClasses:
    """The classes generated for one service, all named after its definition class."""

    definition: str
    handler: str
    workflow_client: str
    standalone_client: str

    def all(self) -> tuple[str, str, str, str]:
        return (self.definition, self.handler, self.workflow_client, self.standalone_client)


def service_classes(proto_name: str) -> ServiceClasses:
    """`PaymentService` -> itself, `...Handler`, `...NexusClient`, `...StandaloneClient`."""
    definition = class_identifier(proto_name)
    return ServiceClasses(
        definition=definition,
        handler=f"{definition}Handler",
        workflow_client=f"{definition}NexusClient",
        standalone_client=f"{definition}StandaloneClient",
    )


def operation_method(proto_method: str) -> str:
    """`ProcessPayment` -> `process_payment`: the operation's attribute and method name.

    Leading underscores go (a private-looking name would hide the operation), so
    the result can be empty or start with a digit: the resolver refuses those.
    """
    return safe_identifier(snake_case(proto_method).lstrip("_"))


def start_method(method: str) -> str:
    """`process_payment` -> `start_process_payment`, the callers' method returning a handle."""
    return f"start_{method}"


def timeout_constant(method: str) -> str:
    """`process_payment` -> `PROCESS_PAYMENT_TIMEOUT`, the callers' class constant.

    The trailing `_` of a renamed keyword goes (`class_` -> `CLASS_TIMEOUT`), so
    `Foo` and `Foo_` share one; the resolver reports that as a collision.
    """
    return f"{method.upper().rstrip('_')}_TIMEOUT"


def has_keyword_part(qualname: str) -> bool:
    """Whether a message's class path (`Outer.None`) has a part Python cannot write."""
    return any(keyword.iskeyword(part) for part in qualname.split("."))


def stub_qualname(qualname: str) -> str:
    """The class path mypy-protobuf's stubs declare: `class` -> `_r_class`, `Outer._r_None`."""
    return ".".join(
        f"_r_{part}" if keyword.iskeyword(part) else part for part in qualname.split(".")
    )


def message_alias(qualname: str) -> str:
    """The module-level name generated code gives a message named with a keyword.

    protoc's module holds `message class` under the keyword itself (reachable
    only with getattr) and mypy-protobuf's stubs as `_r_class`; one alias,
    bound to each where it is valid, serves both: `class` -> `ClassMessage`,
    `Outer.None` -> `OuterNoneMessage`. CapWords keeps it clear of every
    operation method (always lower case), which a class body could shadow it with.
    """
    return "".join(part[:1].upper() + part[1:] for part in qualname.split(".")) + "Message"


def attribute_access(owner: str, name: str, *, quote: str = '"') -> str:
    """`owner.name`, or `getattr(owner, "name")` when `name` is a keyword (a proto field
    `def`, a message `class`): protoc's modules and messages hold those under the keyword.

    A keyword is plain letters, so quoting it needs no escaping; inside an f-string
    the caller asks for the other quote.
    """
    if keyword.iskeyword(name):
        return f"getattr({owner}, {quote}{name}{quote})"
    return f"{owner}.{name}"


def runtime_path(module_alias: str, qualname: str) -> str:
    """How run-time code reaches a message class: `m.Outer.Inner`, `getattr(m.Outer, 'None')`."""
    path = module_alias
    for part in qualname.split("."):
        path = attribute_access(path, part)
    return path


def pb2_module(proto_path: str) -> str:
    """The module protoc's Python generator writes for a .proto file."""
    return _module_stem(proto_path).replace("/", ".") + "_pb2"


def nexus_output_path(proto_path: str) -> str:
    """The generated file, beside the `_pb2.py` of the same proto file.

    protoc's Python generator writes that file where its module path points,
    so a dot in the file name is a directory: `a.b.proto` -> `a/b_pb2.py`.
    """
    return _module_stem(proto_path).replace(".", "/") + "_nexus.py"


def testing_output_path(proto_path: str) -> str:
    """The generated test doubles, beside the `_nexus.py` of the same proto file."""
    return _module_stem(proto_path).replace(".", "/") + "_nexus_testing.py"


def nexus_module(pb2_module_path: str) -> str:
    """The import path of the `_nexus` module beside a `_pb2` module (after module mapping)."""
    return pb2_module_path.removesuffix("_pb2") + "_nexus"


def fake_class(definition_class: str) -> str:
    """`PaymentService` -> `PaymentServiceFake`, the generated test double."""
    return f"{definition_class}Fake"


def fake_answers_class(definition_class: str) -> str:
    """`PaymentService` -> `PaymentServiceFakeAnswers`, the fake's keyword arguments."""
    return f"{definition_class}FakeAnswers"


def workflow_contract_class(workflow_type: str, taken: set[str]) -> str:
    """`CartWorkflow` -> `CartWorkflowContract`, `cart-workflow` -> `CartWorkflowContract`:
    the Protocol a workflow class is checked against. Words are kept, separators go.

    A name `taken` by another class of the module (or another workflow type's
    contract) gets the first free number: `CartWorkflowContract2`. Contracts are
    an addition to a module, so they never make a contract that generated before fail.
    """
    words = [word for word in re.split(r"[^0-9A-Za-z]+", workflow_type) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or name[0].isdigit():
        name = "Workflow" + name
    candidate, number = f"{name}Contract", 1
    while candidate in taken:
        number += 1
        candidate = f"{name}Contract{number}"
    return candidate


def _module_stem(proto_path: str) -> str:
    stem = proto_path[: -len(".proto")] if proto_path.endswith(".proto") else proto_path
    return stem.replace("-", "_")
