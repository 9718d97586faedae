"""Generation benchmark: this plugin against protoc's own Python output and mypy-protobuf.

For each size, synth.py writes a contract tree; then, in interleaved rounds (each
round runs every tool once, the order rotating from round to round), on the same
input:

- `parse`: protoc parsing only (`--descriptor_set_out`), the floor every generator pays;
- `nexus`: protoc running only this plugin (`--nexus-python_out`);
- `python`: protoc's built-in `--python_out`;
- `mypy`: protoc running mypy-protobuf (`--mypy_out`);
- `nexus alone` / `mypy alone`: the plugin processes on their own, fed the
  CodeGeneratorRequest protoc sends plugins (captured once per size).

Wall time is what the targets use; CPU time (user + system of the process and
the children it waited for, from wait4) is shown beside it because it is less
sensitive to other work on the machine. Peak memory is the child's ru_maxrss.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import measure
import synth
from measure import BENCH_DIR, BUILD_DIR, Run, median, run_timed, tool

from nexusproto.include import INCLUDE_DIR

PARSE, NEXUS, PYTHON, MYPY, NEXUS_ALONE, MYPY_ALONE, GO_ALONE = (
    "parse",
    "nexus",
    "python",
    "mypy",
    "nexus alone",
    "mypy alone",
    "go alone",
)
LABELS = {
    PARSE: "protoc, parse only (--descriptor_set_out)",
    NEXUS: "protoc + this plugin (--nexus-python_out)",
    PYTHON: "protoc --python_out",
    MYPY: "protoc + mypy-protobuf (--mypy_out)",
    NEXUS_ALONE: "protoc-gen-nexus-python alone, captured request",
    MYPY_ALONE: "protoc-gen-mypy alone, same request",
    GO_ALONE: "protoc-gen-nexus-go alone, same request with M options",
}
PROTOC_OPTION = {
    PARSE: "--descriptor_set_out={out}/set.binpb",
    NEXUS: "--nexus-python_out={out}",
    PYTHON: "--python_out={out}",
    MYPY: "--mypy_out={out}",
}
PLUGIN = {
    NEXUS_ALONE: "protoc-gen-nexus-python",
    MYPY_ALONE: "protoc-gen-mypy",
    GO_ALONE: "protoc-gen-nexus-go",
}


@dataclass
class Tree:
    size: int
    root: Path
    files: list[str]
    operations: int
    proto_bytes: int


@dataclass
class SizeResult:
    tree: Tree
    repeats: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    request_bytes: int = 0
    output_bytes: dict[str, int] = field(default_factory=dict)
    imports: dict[str, float] | None = None
    phases: dict[str, float] | None = None

    def wall(self, name: str) -> float:
        return median([run.wall for run in self.runs[name]])

    def cpu(self, name: str) -> float:
        return median([run.cpu for run in self.runs[name]])

    def peak_mib(self, name: str) -> float:
        return max(run.max_rss_mib for run in self.runs[name])


def make_tree(size: int) -> Tree:
    root = BUILD_DIR / f"tree-{size}"
    shutil.rmtree(root, ignore_errors=True)
    files = synth.write_tree(root, size)
    return Tree(
        size=size,
        root=root,
        files=files,
        operations=synth.count_operations(files),
        proto_bytes=sum((root / name).stat().st_size for name in files),
    )


def protoc_argv(tree: Tree, *options: str, extra_files: tuple[str, ...] = ()) -> list[str]:
    """protoc on every file of the tree (run it in the tree's directory)."""
    return [
        tool("protoc"),
        f"--descriptor_set_in={measure.validate_set()}",
        "-I.",
        f"-I{INCLUDE_DIR}",
        *options,
        *tree.files,
        *extra_files,
    ]


def command_lines() -> dict[str, str]:
    """The commands as BENCHMARKS.md shows them (run in the tree's directory)."""
    base = (
        "protoc --descriptor_set_in=build/bench/validate.binpb "
        "-I. -I$(python -m nexusproto.include)"
    )
    lines = {
        name: f"{base} {option.format(out='OUT')} $FILES" for name, option in PROTOC_OPTION.items()
    }
    for name, plugin in PLUGIN.items():
        request = "request-go" if name == GO_ALONE else "request"
        lines[name] = f"{plugin} < build/bench/{request}-$SIZE.bin > /dev/null"
    return lines


def capture_request(tree: Tree) -> Path:
    """The CodeGeneratorRequest protoc sends plugins for this tree."""
    request = BUILD_DIR / f"request-{tree.size}.bin"
    launcher = BUILD_DIR / "protoc-gen-capture"
    launcher.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{BENCH_DIR / "capture_plugin.py"}" "$CAPTURE_TO"\n'
    )
    launcher.chmod(0o755)
    out = measure.scratch_dir("capture")
    try:
        subprocess.run(
            protoc_argv(tree, f"--plugin=protoc-gen-capture={launcher}", f"--capture_out={out}"),
            cwd=tree.root,
            env=dict(measure.tool_env(), CAPTURE_TO=str(request)),
            check=True,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return request


def go_request(request: Path) -> Path:
    """The same request with an `M` option per file, as a Go team passes them: the
    synthetic tree's files declare no go_package."""
    from google.protobuf.compiler import plugin_pb2

    parsed = plugin_pb2.CodeGeneratorRequest.FromString(request.read_bytes())
    parsed.parameter = ",".join(
        f"M{file.name}=bench.test/{file.name.rpartition('/')[0] or 'root'}"
        for file in parsed.proto_file
        if not file.options.go_package
    )
    path = request.with_name(request.name.replace("request-", "request-go-"))
    path.write_bytes(parsed.SerializeToString())
    return path


def check_plugin_output(request: Path, plugin: str = "protoc-gen-nexus-python") -> None:
    """The plugin succeeds on the request (the timed runs discard its output)."""
    from google.protobuf.compiler import plugin_pb2

    with request.open("rb") as stdin:
        result = subprocess.run(
            [tool(plugin)],
            stdin=stdin,
            capture_output=True,
            check=True,
            env=measure.tool_env(),
        )
    response = plugin_pb2.CodeGeneratorResponse.FromString(result.stdout)
    if response.error:
        raise RuntimeError(f"the plugin failed on the benchmark tree: {response.error}")


def _tree_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def bench_size(
    size: int,
    repeats: int,
    *,
    tools: tuple[str, ...],
    imports: bool,
    phases: bool,
    log: Callable[[str], None],
) -> SizeResult:
    tree = make_tree(size)
    log(
        f"generation, {tree.operations} operations: {len(tree.files)} files, "
        f"{tree.proto_bytes / 1e6:.1f} MB of .proto"
    )
    request = capture_request(tree)
    check_plugin_output(request)
    for_go = go_request(request)
    if GO_ALONE in tools:
        check_plugin_output(for_go, "protoc-gen-nexus-go")
    result = SizeResult(tree=tree, repeats=repeats, request_bytes=request.stat().st_size)
    scratch = measure.scratch_dir(f"gen-{size}")
    try:
        for round_index in range(repeats):
            shift = round_index % len(tools)
            for name in tools[shift:] + tools[:shift]:
                out = scratch / name.replace(" ", "-")
                out.mkdir()
                if name in PROTOC_OPTION:
                    run = run_timed(
                        protoc_argv(tree, PROTOC_OPTION[name].format(out=out)), cwd=tree.root
                    )
                else:
                    stdin = for_go if name == GO_ALONE else request
                    run = run_timed([tool(PLUGIN[name])], stdin_path=stdin)
                result.runs.setdefault(name, []).append(run)
                if name in (NEXUS, PYTHON, MYPY) and name not in result.output_bytes:
                    result.output_bytes[name] = _tree_bytes(out)
                shutil.rmtree(out)
            log(
                f"  round {round_index + 1}/{repeats}: "
                + ", ".join(f"{n} {result.runs[n][-1].wall:.2f}s" for n in tools)
            )
        if imports:
            result.imports = import_times(tree, scratch, repeats, log)
        if phases:
            result.phases = plugin_phases(request, repeats)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def import_times(
    tree: Tree, scratch: Path, repeats: int, log: Callable[[str], None]
) -> dict[str, float]:
    """Medians over fresh interpreters of importing the generated modules (see import_probe.py).

    The first interpreter compiles the modules to bytecode (reported as "first");
    the timed ones then load cached bytecode, as a deployed application does.
    """
    root = scratch / "imports"
    root.mkdir()
    subprocess.run(
        protoc_argv(
            tree,
            f"--python_out={root}",
            f"--nexus-python_out={root}",
            extra_files=("buf/validate/validate.proto",),
        ),
        cwd=tree.root,
        env=measure.tool_env(),
        check=True,
    )
    nexus = sorted(root.rglob("*_nexus.py"))
    listing = root / "modules.txt"
    lines = []
    for path in nexus:
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        lines.append(f"pb2 {module.removesuffix('_nexus')}_pb2")
    for path in nexus:
        lines.append(f"nexus {'.'.join(path.relative_to(root).with_suffix('').parts)}")
    listing.write_text("\n".join(lines) + "\n")

    def probe() -> dict[str, float]:
        output = subprocess.run(
            [sys.executable, str(BENCH_DIR / "import_probe.py"), str(root), str(listing)],
            capture_output=True,
            text=True,
            check=True,
            env=measure.tool_env(),
        ).stdout
        return dict(json.loads(output))

    first = probe()
    samples = [probe() for _ in range(repeats)]
    found = {key: median([s[key] for s in samples]) for key in ("runtime", "pb2", "nexus")}
    found["first_pb2"] = first["pb2"]
    found["first_nexus"] = first["nexus"]
    found["modules"] = first["nexus_modules"]
    log(
        f"  imports: {found['pb2'] * 1000:.0f} ms _pb2, {found['nexus'] * 1000:.0f} ms _nexus "
        f"({int(found['modules'])} modules each)"
    )
    return found


def plugin_phases(request: Path, repeats: int) -> dict[str, float]:
    """Medians of the plugin's phases on the request, plus bare interpreter start-up."""
    samples = []
    startups = []
    for _ in range(repeats):
        startups.append(run_timed([sys.executable, "-c", "pass"]).wall)
        output = subprocess.run(
            [sys.executable, str(BENCH_DIR / "plugin_phases.py"), str(request)],
            capture_output=True,
            text=True,
            check=True,
            env=measure.tool_env(),
        ).stdout
        samples.append(json.loads(output))
    found = {key: median([s[key] for s in samples]) for key in samples[0]}
    found["startup"] = median(startups)
    return found


def profile(request: Path, top: int = 18) -> str:
    """cProfile of the plugin's run() on the request: the functions with the most own time."""
    script = (
        "import cProfile, io, pstats, sys\n"
        "from google.protobuf.compiler import plugin_pb2\n"
        "from protoc_gen_nexus.python.plugin import run\n"
        "request = plugin_pb2.CodeGeneratorRequest.FromString(open(sys.argv[1], 'rb').read())\n"
        "profiler = cProfile.Profile()\n"
        "profiler.enable()\n"
        "response = run(request)\n"
        "profiler.disable()\n"
        "assert not response.error, response.error\n"
        "out = io.StringIO()\n"
        "stats = pstats.Stats(profiler, stream=out)\n"
        "stats.sort_stats('tottime').print_stats(int(sys.argv[2]))\n"
        "print(out.getvalue())\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, str(request), str(top)],
        capture_output=True,
        text=True,
        check=True,
        env=measure.tool_env(),
    ).stdout
    lines = [line.rstrip() for line in output.splitlines()]
    keep = [
        line.replace(str(measure.REPO) + "/", "").replace(str(Path(sys.prefix)) + "/", "")
        for line in lines
        if line.strip() and "Ordered by" not in line and "List reduced" not in line
    ]
    return "\n".join(keep)
