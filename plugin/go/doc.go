// Package nexusproto is the runtime of the Go code that protoc-gen-nexus-go
// generates from annotated .proto contracts: what generated handlers and
// callers share, so that each generated file stays a thin list of names, types
// and settings.
//
// It behaves as the Python runtime (the nexusproto Python package) does for the
// same contract, so that a Go caller and a Python handler, or the reverse, see
// the same errors with the same text:
//
//   - Payloads are checked against their buf.validate rules with protovalidate.
//     Each broken rule reads "field.path: message [rule id]"; all of them
//     together read "<message full name>: v1; v2" ([Violations], [Summary]).
//   - A handler refuses an invalid request with a non-retryable BAD_REQUEST
//     [nexus.HandlerError] before its own code runs ([CheckRequest]), and
//     reports an invalid response of its own code as a non-retryable INTERNAL
//     one ([CheckResponse]); [NewSyncOperation] and [NewWorkflowRunOperation]
//     wrap operations with both.
//   - A caller never sends an invalid request: in a workflow, the call fails at
//     once with a non-retryable [temporal.ApplicationError] of type
//     [InvalidRequestErrorType] ([StartOperation]); outside workflows,
//     [StartStandaloneOperation] returns the same error.
//   - A workflow-run operation starts the workflow the contract names
//     ([StartWorkflow]); without an ID template its workflow ID is
//     [DefaultWorkflowID], stable across retries of one start.
//   - An operation bound to a long-lived workflow runs an update, sends a
//     signal or runs a query of it ([Update], [Signal], [Query]); no such
//     workflow is a non-retryable NOT_FOUND [nexus.HandlerError], a rejected
//     or failed update or query a failed operation.
//
// google.protobuf.Empty is [nexus.NoValue] on both sides, as in the other Go
// Nexus generators: no payload on the wire.
package nexusproto
