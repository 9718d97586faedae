"""Module-level names for messages named with Python keywords (`message class`).

protoc's `_pb2` module defines such a class under the keyword itself, so only
`getattr` reaches it; mypy-protobuf's stubs declare it as `_r_class`. The alias
is bound to the stub's name for type checkers and to the real class at run
time, and generated code uses it wherever it would name the message.
"""

from protoc_gen_nexus.python import model, naming
from protoc_gen_nexus.python.generators.shared import TYPING, keyword_messages
from protoc_gen_nexus.python.writer import Module, PythonFile


def keyword_message_aliases(out: PythonFile, file: model.File) -> None:
    messages = keyword_messages(file)
    if not messages:
        return
    out.line("# Messages named with Python keywords: protoc's module holds them under the")
    out.line("# keyword, mypy-protobuf's stubs as _r_<name> (a name pyright deems private).")
    with out.block(f"if {out.module(TYPING)}.TYPE_CHECKING:"):
        for message in messages:
            module = out.module(Module(message.python_module))
            out.line(
                f"{message.alias} = {module}.{naming.stub_qualname(message.qualname)}"
                "  # pyright: ignore[reportPrivateUsage]"
            )
    with out.block("else:"):
        for message in messages:
            module = out.module(Module(message.python_module))
            out.line(f"{message.alias} = {naming.runtime_path(module, message.qualname)}")
