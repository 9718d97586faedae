"""protoc plugin that generates typed Temporal Nexus code from annotated .proto files.

The pipeline, one module per stage:

    parameters   plugin parameter string -> Parameters
    options      option extensions decoded from the request's own descriptors
    resolve      CodeGeneratorRequest -> model (files, services, operations)
    writer       PythonFile: identifier-aware imports, escaping, rendering
    generators   one function per emitted artefact
    plugin       request -> response, errors returned, never raised
"""

__version__ = "0.1.0"
