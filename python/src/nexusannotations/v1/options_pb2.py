"""The standard Nexus annotations (nexusannotations/v1/options.proto), as temporalio ships them.

temporalio registers this file in protobuf's default descriptor pool from
`temporalio.api.dependencies.nexusannotations.v1.options_pb2`, and a second
registration of the same file name fails even when the bytes are equal. So
this module, under the import path that generated `_pb2` modules use, is that
one: a process can import Temporal's own API messages and user contracts
together. The test suite checks that proto/nexusannotations/v1/options.proto
compiles to the same descriptor.
"""

from temporalio.api.dependencies.nexusannotations.v1.options_pb2 import (
    DESCRIPTOR,
    OPERATION_FIELD_NUMBER,
    SERVICE_FIELD_NUMBER,
    OperationOptions,
    ServiceOptions,
    operation,
    service,
)

__all__ = [
    "DESCRIPTOR",
    "OPERATION_FIELD_NUMBER",
    "SERVICE_FIELD_NUMBER",
    "OperationOptions",
    "ServiceOptions",
    "operation",
    "service",
]
