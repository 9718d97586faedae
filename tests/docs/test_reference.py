"""The reference pages of the site are held to the code they describe.

Each test reads the truth from the code (descriptors of the option protos, the
plugins' parameter parsers, the console scripts' own `--help`, the exit status
constants, the source of every error message, the pyproject files) and fails
when a page leaves something out or says something the code does not.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import nexusproto
import nexusproto.cli
import protoc_gen_nexus.contract
import pytest
import tomllib
from nexusproto.include import INCLUDE_DIR
from protoc_gen_nexus.errors import GenerationError
from support.protoc import BIN, REPO, protoc

REFERENCE = REPO / "docs" / "content" / "reference"
EXAMPLES = REPO / "docs" / "examples" / "reference"
SOURCES = [
    REPO / "plugin" / "src" / "protoc_gen_nexus",
    REPO / "python" / "src" / "nexusproto",
]
PYPROJECTS = [REPO / "python" / "pyproject.toml", REPO / "plugin" / "pyproject.toml"]
GAP = "…"
"""What the error tables write for the part of a message that names your element."""
PLUGINS = 5
"""protoc-gen-nexus-python, -go, -java, -ts and -docs."""
SELECTION_KEYS = ("all-services", "include-service-tags", "exclude-service-tags")
MANY = 40
"""Fewer quoted messages than this means the table parsing broke."""
MAX_DEPTH = 3


def page(name: str) -> str:
    return (REFERENCE / name).read_text(encoding="utf-8")


HEADING = re.compile(r"^(#{1,6}) ")


def section(text: str, marker: str) -> str:
    """From the heading at or above the line holding `marker` to the next heading of
    the same or a higher level."""
    lines = text.splitlines()
    found = next((i for i, line in enumerate(lines) if marker in line), None)
    assert found is not None, f"no line holds {marker!r}"
    start = next(i for i in range(found, -1, -1) if HEADING.match(lines[i]))
    level = len(HEADING.match(lines[start])[1])  # type: ignore[index]
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if (m := HEADING.match(lines[i])) and len(m[1]) <= level
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


def scripts() -> dict[str, str]:
    """Every console script of both distributions, with its entry point."""
    found: dict[str, str] = {}
    for path in PYPROJECTS:
        found.update(tomllib.loads(path.read_text())["project"]["scripts"])
    return found


# --- options.md ------------------------------------------------------------------------


def option_modules() -> list[ModuleType]:
    return [
        importlib.import_module("nexusproto.v1.options_pb2"),
        importlib.import_module("nexusannotations.v1.options_pb2"),
    ]


def test_every_option_field_and_value_is_on_the_options_page() -> None:
    text = page("options.md")
    missing = []
    for module in option_modules():
        file = module.DESCRIPTOR
        for extension in file.extensions_by_name.values():
            row = f"`({extension.full_name})` | `google.protobuf.{extension.containing_type.name}` | {extension.number} |"
            if row not in text:
                missing.append(f"extension row {row}")
        for message in file.message_types_by_name.values():
            body = section(text, f"Message `{message.full_name}`")
            missing += [
                f"{message.full_name}.{field.name}"
                for field in message.fields
                if f"`{field.name}`" not in body
            ]
        for enum in file.enum_types_by_name.values():
            body = section(text, f"Enum `{enum.full_name}`")
            missing += [
                f"{enum.full_name}.{value.name} = {value.number}"
                for value in enum.values
                if f"| `{value.name}` | {value.number} |" not in body
            ]
    assert not missing, f"options.md does not describe: {missing}"


def test_every_nexusproto_option_has_a_heading_of_its_own() -> None:
    """Each field of the two option messages is a heading, so it has an anchor."""
    text = page("options.md")
    module = importlib.import_module("nexusproto.v1.options_pb2")
    missing = []
    for name in ("ServiceOptions", "OperationOptions"):
        message = module.DESCRIPTOR.message_types_by_name[name]
        body = section(text, f"Message `{message.full_name}`")
        missing += [
            f"{name}.{field.name}"
            for field in message.fields
            if not re.search(rf"^### `{field.name}` \{{#[\w-]+\}}$", body, re.MULTILINE)
        ]
    assert not missing, f"options without a heading and anchor on options.md: {missing}"


# --- plugin-parameters.md --------------------------------------------------------------


def plugins() -> dict[str, ModuleType]:
    """Each protoc plugin script and the module of the parser its plugin uses."""
    found = {}
    for name, entry in scripts().items():
        if not name.startswith("protoc-gen-"):
            continue
        package = entry.split(":")[0].rsplit(".", 1)[0]
        parser = importlib.import_module(f"{package}.plugin").parse_parameters
        found[name] = importlib.import_module(parser.__module__)
    assert len(found) >= PLUGINS, found
    return found


USAGE_ITEM = re.compile(r"(?:^|, |: )(M<file>|[a-z][a-z_-]*)=([^,]*?)(?= \(|,|$)")


def parameters_of(parser: ModuleType) -> dict[str, str]:
    """The keys the parser's USAGE names, each with a value the parser accepts."""
    found = {}
    for key, shown in USAGE_ITEM.findall(parser.USAGE):
        value = shown.split("|")[0]
        if value == "FROM=TO":
            value = "a.b=c.d"
        elif value.isupper() or "<" in value:
            value = "example.com/x" if key == "M<file>" else "x"
        found[key] = value
    return found


@pytest.mark.parametrize("plugin", sorted(plugins()))
def test_every_parameter_a_plugin_accepts_is_on_the_page(plugin: str) -> None:
    parser = plugins()[plugin]
    keys = parameters_of(parser)
    assert len(keys) >= len(SELECTION_KEYS), parser.USAGE
    # USAGE is what the parser accepts: every key it names parses, others do not.
    for key, value in keys.items():
        item = f"Mx.proto={value}" if key == "M<file>" else f"{key}={value}"
        parser.parse_parameters(item)
    with pytest.raises(GenerationError, match="unknown parameter"):
        parser.parse_parameters("no-such-key=1")

    text = page("plugin-parameters.md")
    # A plugin's section may refer to the parameters it shares with others.
    body, seen, pending = "", set(), [plugin]
    while pending:
        anchor = pending.pop()
        if anchor not in seen:
            seen.add(anchor)
            found = section(text, f"{{#{anchor}}}")
            body += found
            pending += re.findall(r"\]\(#([\w-]+)\)", found)
    missing = [key for key in keys if f"`{key}`" not in body]
    assert not missing, (
        f"{plugin}: parameters missing on plugin-parameters.md: {missing}"
    )


# --- cli.md ----------------------------------------------------------------------------


def help_of(*argv: str) -> str:
    result = subprocess.run(
        [str(BIN / argv[0]), *argv[1:], "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def usage_of(shown: str) -> str:
    return shown.split("\n\n", 1)[0]


def test_every_console_script_is_on_the_cli_page() -> None:
    text = page("cli.md")
    missing = [name for name in scripts() if f"`{name}`" not in text]
    assert not missing, f"console scripts missing on cli.md: {missing}"


@pytest.mark.parametrize("command", ["nexusproto", "nexus-contract"])
def test_every_subcommand_and_flag_is_on_the_cli_page(command: str) -> None:
    assert command in scripts()
    body = section(page("cli.md"), f"## {command}")
    top = usage_of(help_of(command))
    choices = re.search(r"\{([\w,-]+)\}", top)
    assert choices, top
    missing = []
    for sub in choices[1].split(","):
        sub_body = section(body, f"### {command} {sub}")
        for flag in set(
            re.findall(
                r"(?<![\w-])(--?[A-Za-z][\w-]*)", usage_of(help_of(command, sub))
            )
        ):
            if flag in ("-h", "--help"):
                continue
            if not re.search(rf"`{re.escape(flag)}[ `]", body):
                missing.append(f"{sub} {flag}")
        assert sub_body
    if "`--version`" not in body and "--version" in top:
        missing.append("--version")
    assert not missing, f"{command}: flags missing on cli.md: {missing}"


def test_the_plugins_take_the_flag_the_cli_page_gives_them() -> None:
    body = section(page("cli.md"), "## Plugins")
    assert "`--version`" in body
    for name in plugins():
        shown = subprocess.run(
            [str(BIN / name), "--version"], capture_output=True, text=True, check=True
        ).stdout
        assert shown.startswith(f"{name} "), shown
        assert f"`{name}`" in body


# --- exit-statuses.md ------------------------------------------------------------------


def int_constants(module: ModuleType, names: list[str] | None = None) -> dict[str, int]:
    names = names if names is not None else [n for n in vars(module) if n.isupper()]
    return {
        name: getattr(module, name)
        for name in names
        if isinstance(getattr(module, name), int)
        and not isinstance(getattr(module, name), bool)
    }


def test_every_exit_status_the_code_defines_is_on_the_page() -> None:
    text = page("exit-statuses.md")
    cli = int_constants(nexusproto.cli, list(nexusproto.cli.__all__))
    contract = int_constants(protoc_gen_nexus.contract)
    assert cli and contract, (cli, contract)
    missing = [
        f"{where}: {name} = {value}"
        for where, constants in (("nexusproto", cli), ("nexus-contract", contract))
        for name, value in constants.items()
        if f"| {value} | `{name}` |" not in section(text, f"## {where}")
    ]
    assert not missing, f"exit statuses missing on exit-statuses.md: {missing}"


def test_the_nexus_contract_rules_are_on_the_cli_page() -> None:
    source = (SOURCES[0] / "contract.py").read_text()
    rules = set(re.findall(r'"(NEXUS_[A-Z_]+)"', source))
    assert rules, rules
    body = section(page("cli.md"), "### nexus-contract breaking")
    missing = sorted(rule for rule in rules if f"| `{rule}` |" not in body)
    assert not missing, f"rules of nexus-contract breaking missing on cli.md: {missing}"


# --- errors.md -------------------------------------------------------------------------

HOLE = "\x00"


def _templates_of(tree: ast.Module) -> Iterator[str]:
    """Every string the module builds, with the parts filled at run time as HOLE;
    names bound once to a string in the module are filled in."""
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            bound.setdefault(node.targets[0].id, []).append(node.value)

    def text(node: ast.expr, depth: int = 0) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(text(value, depth) for value in node.values)
        if isinstance(node, ast.FormattedValue):
            inner = node.value
            if (
                depth < MAX_DEPTH
                and isinstance(inner, ast.Name)
                and len(bound.get(inner.id, [])) == 1
                and node.conversion == -1
                and isinstance(bound[inner.id][0], ast.Constant | ast.JoinedStr)
            ):
                return text(bound[inner.id][0], depth + 1)
            return HOLE
        return HOLE

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            yield text(node)


def source_templates() -> list[str]:
    found = []
    for root in SOURCES:
        for path in root.rglob("*.py"):
            if "proto" in path.relative_to(root).parts[:1] or path.name.endswith(
                "_pb2.py"
            ):
                continue
            found += _templates_of(ast.parse(path.read_text(encoding="utf-8")))
    return found


def quoted_messages() -> list[str]:
    """The first cell of every table headed `message` on errors.md."""
    found = []
    header = False
    for line in page("errors.md").splitlines():
        if line.startswith("| message |"):
            header = True
            continue
        if not line.startswith("|"):
            header = False
            continue
        cell = line.split(" | ")[0].removeprefix("| ").strip()
        if header and cell.startswith("`") and not cell.startswith("`-"):
            found.append(cell.strip("`"))
    return found


def pattern_of(message: str) -> re.Pattern[str]:
    return re.compile(
        ".*?".join(re.escape(part) for part in message.split(GAP)), re.DOTALL
    )


def test_every_error_message_on_the_page_is_one_the_code_produces() -> None:
    messages = quoted_messages()
    assert len(messages) >= MANY, messages
    templates = source_templates()
    unknown = [
        message
        for message in messages
        if not any(pattern_of(message).search(template) for template in templates)
    ]
    assert not unknown, f"errors.md quotes messages no code produces: {unknown}"


def test_the_message_check_refuses_a_message_the_code_does_not_produce() -> None:
    templates = source_templates()
    wrong = pattern_of("… is a streaming method; Nexus operations take two messages")
    assert not any(wrong.search(template) for template in templates)
    right = pattern_of("… is a streaming method; Nexus operations take one message")
    assert any(right.search(template) for template in templates)


def shown_runs() -> list[tuple[str, str]]:
    """The ```text blocks of errors.md that show a command (`$ ...`) and its output."""
    blocks = re.findall(
        r"^```text\n\$ (.*?)\n(.*?)^```$", page("errors.md"), re.M | re.S
    )
    return [(command, output) for command, output in blocks]


@pytest.mark.parametrize("run", shown_runs(), ids=lambda run: run[0].split()[-1])
def test_the_outputs_shown_on_the_errors_page_are_what_the_commands_print(
    run: tuple[str, str], tmp_path: Path
) -> None:
    """Run from the repository root as shown, into a directory of the test's own."""
    command, shown = run
    argv = shlex.split(
        command.replace('"$(python -m nexusproto.include)"', str(INCLUDE_DIR))
    )
    argv = [
        f"--nexus-python_out={tmp_path}" if arg == "--nexus-python_out=gen" else arg
        for arg in argv
    ]
    program = protoc() if argv[0] == "protoc" else str(BIN / argv[0])
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [program, *argv[1:]],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result
    assert (result.stdout + result.stderr).strip() == shown.strip()


def test_an_old_generated_module_gets_the_message_errors_md_quotes(
    tmp_path: Path,
) -> None:
    generated = (REPO / "gen" / "payments" / "v1" / "payments_nexus.py").read_text()
    old = generated.split("\nNEXUS_CONTRACT = ", 1)[0] + "\n"
    assert old != generated
    (tmp_path / "oldpayments_nexus.py").write_text(old)
    result = subprocess.run(
        [str(BIN / "nexusproto"), "describe", "--contracts", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=str(REPO / "gen")),
    )
    assert result.returncode == nexusproto.cli.USAGE, result
    said = result.stderr.strip().removeprefix("nexusproto: ")
    quoted = [m for m in quoted_messages() if "was generated by an older" in m]
    assert quoted and pattern_of(quoted[0]).fullmatch(said), (quoted, said)


# --- versions.md -----------------------------------------------------------------------


def test_the_version_ranges_are_those_of_the_pyproject_files() -> None:
    text = page("versions.md")
    for path in PYPROJECTS:
        project = tomllib.loads(path.read_text())["project"]
        name = project["name"]
        row = next(
            (line for line in text.splitlines() if line.startswith(f"| `{name}` ")), ""
        )
        assert row, f"versions.md has no row for {name}"
        python = project["requires-python"].removeprefix(">=")
        assert f"| {python} or newer |" in row, (row, project["requires-python"])
        shown = set(re.findall(r"`([^`]+)`", row.split(" | ")[-1]))
        assert shown == {dep.replace(" ", "") for dep in project["dependencies"]}, row
        for extra, deps in project.get("optional-dependencies", {}).items():
            extra_row = next(
                (
                    line
                    for line in text.splitlines()
                    if line.startswith(f"| `{extra}` |")
                ),
                "",
            )
            assert {f"`{dep}`" for dep in deps} <= set(
                re.findall(r"`[^`]+`", extra_row)
            ), (
                extra,
                extra_row,
            )


def test_the_compat_table_is_that_of_make_compat() -> None:
    tree = ast.parse((REPO / "tests" / "compat" / "environments.py").read_text())
    combinations = [
        [arg.value for arg in node.args]
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Combination"
    ]
    assert combinations
    rows = {
        cells[0]: cells
        for line in page("versions.md").splitlines()
        if line.startswith("| ")
        and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    for name, protobuf, temporalio, grpcio_tools in combinations:
        cells = rows.get(name)
        assert cells, f"versions.md has no compat row {name}"
        assert cells[1] == protobuf and cells[2] == temporalio, cells
        assert cells[4].endswith(f"({grpcio_tools})"), cells
    assert "`make compat`" in page("versions.md")


# --- runtime-api.md --------------------------------------------------------------------


def public_modules() -> list[str]:
    """Every importable module of nexusproto but the private ones (`_x`) and the
    generated option module, which options.md describes."""
    return [
        "nexusproto",
        *(
            module.name
            for module in pkgutil.walk_packages(nexusproto.__path__, "nexusproto.")
            if not any(part.startswith("_") for part in module.name.split("."))
            and not module.name.startswith("nexusproto.v1")
        ),
    ]


def test_every_public_module_has_a_block_on_the_runtime_page() -> None:
    blocks = set(re.findall(r"^::: ([\w.]+)$", page("runtime-api.md"), re.MULTILINE))
    modules = public_modules()
    assert len(modules) >= MANY // 3, modules
    missing = sorted(set(modules) - blocks)
    assert not missing, (
        f"public modules without a ::: block on runtime-api.md: {missing}"
    )
    assert "nexusproto.v1.options_pb2" in page("runtime-api.md")


def test_the_examples_of_this_page_are_shown() -> None:
    shown = page("errors.md")
    for path in EXAMPLES.iterdir():
        assert f'--8<-- "docs/examples/reference/{path.name}"' in shown, path
    assert sys.version_info >= (3, 10)
