"""MkDocs hooks: pages whose one source lives elsewhere in the repository.

The example catalogue is what protoc-gen-nexus-docs writes to proto/catalogue
(committed beside the contracts); RELIABILITY.md and BENCHMARKS.md are what
`make reliability` and `make bench` write; CHANGELOG.md is the release record.
The site serves those files as they are instead of copies that could drift.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO / "proto" / "catalogue"

PAGES_FROM_REPOSITORY = {
    "reliability.md": REPO / "RELIABILITY.md",
    "benchmarks.md": REPO / "BENCHMARKS.md",
    "changelog.md": REPO / "CHANGELOG.md",
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    sources = dict(PAGES_FROM_REPOSITORY)
    for page in sorted(CATALOGUE.rglob("*.md")):
        sources[f"catalogue/{page.relative_to(CATALOGUE).as_posix()}"] = page
    for uri, source in sources.items():
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    return files
