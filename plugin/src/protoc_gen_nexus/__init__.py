"""protoc plugin that generates typed Temporal Nexus code from annotated .proto files.

The pipeline, one module per stage:

    parameters   plugin parameter string -> Parameters
    options      option extensions decoded from the request's own descriptors
    resolve      CodeGeneratorRequest -> model (files, services, operations)
    writer       PythonFile: identifier-aware imports, escaping, rendering
    generators   one function per emitted artefact
    plugin       request -> response, errors returned, never raised
"""

import importlib.metadata

__version__ = importlib.metadata.version("protoc-gen-nexus")
"""The distribution's version (plugin/pyproject.toml), for `--version` and bug reports."""
