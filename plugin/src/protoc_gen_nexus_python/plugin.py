"""CodeGeneratorRequest in, CodeGeneratorResponse out; errors are returned, never raised."""

import traceback

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus_python import __version__
from protoc_gen_nexus_python.errors import GenerationError
from protoc_gen_nexus_python.generators import generate_file
from protoc_gen_nexus_python.generators.testing import generate_testing_file
from protoc_gen_nexus_python.parameters import parse_parameters
from protoc_gen_nexus_python.resolve import resolve

SUPPORTED_FEATURES = (
    plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    | plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
)
# Editions the plugin reads: the options it needs mean the same in all of them.
MINIMUM_EDITION = 998  # EDITION_PROTO2
MAXIMUM_EDITION = 1000  # EDITION_2023

BUG_REPORT = (
    "this is a bug in protoc-gen-nexus-python {version}; please report it with the "
    ".proto files and parameters that trigger it. Details:\n{details}"
)


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=SUPPORTED_FEATURES,
        minimum_edition=MINIMUM_EDITION,
        maximum_edition=MAXIMUM_EDITION,
    )
    try:
        parameters = parse_parameters(request.parameter)
        for file in resolve(request, parameters):
            response.file.add(name=file.output_path, content=generate_file(file))
            response.file.add(name=file.testing_output_path, content=generate_testing_file(file))
    except GenerationError as error:
        del response.file[:]
        response.error = str(error)
    except Exception:
        del response.file[:]
        response.error = BUG_REPORT.format(
            version=__version__, details=traceback.format_exc().rstrip()
        )
    return response
