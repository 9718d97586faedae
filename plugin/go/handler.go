package nexusproto

import (
	"context"
	"errors"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporalnexus"
	"google.golang.org/protobuf/proto"
)

// Validate says which payloads of an operation are checked against their
// buf.validate rules. Generated code sets a flag only for payloads whose
// message has rules, so messages without rules cost nothing. Payloads that are
// not proto messages ([nexus.NoValue]) are never checked.
type Validate uint8

const (
	// ValidateNone checks nothing.
	ValidateNone Validate = 0
	// ValidateRequest checks the request: before the handler's code runs on the
	// handler side, before anything is sent on the caller side.
	ValidateRequest Validate = 1 << 0
	// ValidateResponse checks a sync operation's response after the handler's
	// code returned it. Workflow-run operations ignore it: their result is the
	// workflow's, which no handler code sees.
	ValidateResponse Validate = 1 << 1
)

// CheckRequest returns nil when request keeps its buf.validate rules, and
// otherwise the error a handler answers with: a non-retryable BAD_REQUEST
// [nexus.HandlerError] whose message is
// "invalid request to {service}/{operation}: {summary}" (see [Summary]).
//
// Non-retryable because the same request would break the same rules again;
// the caller gets the field list at once instead of retries until its timeout.
// Any other error is a rule that cannot be evaluated (see [Violations]); the
// SDK reports it as a retryable INTERNAL error, which a fixed deployment can
// then answer.
func CheckRequest(request proto.Message, service, operation string) error {
	found, err := Violations(request)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	return &nexus.HandlerError{
		Type:          nexus.HandlerErrorTypeBadRequest,
		Message:       "invalid request to " + service + "/" + operation + ": " + Summary(request, found),
		RetryBehavior: nexus.HandlerErrorRetryBehaviorNonRetryable,
	}
}

// CheckResponse returns nil when response keeps its buf.validate rules, and
// otherwise a non-retryable INTERNAL [nexus.HandlerError] whose message is
// "handler of {service}/{operation} returned an invalid response: {summary}".
//
// An invalid response is a bug in the handler, not in the caller's request:
// INTERNAL is retryable by default, but a retry would give the same answer,
// so the error says not to retry and the caller sees the field list at once.
func CheckResponse(response proto.Message, service, operation string) error {
	found, err := Violations(response)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	return &nexus.HandlerError{
		Type:          nexus.HandlerErrorTypeInternal,
		Message:       "handler of " + service + "/" + operation + " returned an invalid response: " + Summary(response, found),
		RetryBehavior: nexus.HandlerErrorRetryBehaviorNonRetryable,
	}
}

// NotImplemented is the error of an operation that the handler does not
// implement: a NOT_IMPLEMENTED [nexus.HandlerError], which callers do not
// retry. Generated Unimplemented handler bases answer with it.
func NotImplemented(service, operation string) error {
	return &nexus.HandlerError{
		Type:    nexus.HandlerErrorTypeNotImplemented,
		Message: "operation " + service + "/" + operation + " is not implemented",
	}
}

// NewSyncOperation returns the sync operation name of service, answered by
// handler, with the checks validate asks for: the request before handler
// runs, the response after it returned.
func NewSyncOperation[I, O any](
	service, name string,
	validate Validate,
	handler func(ctx context.Context, input I, options nexus.StartOperationOptions) (O, error),
) nexus.Operation[I, O] {
	return nexus.NewSyncOperation(name, func(ctx context.Context, input I, options nexus.StartOperationOptions) (O, error) {
		if validate&ValidateRequest != 0 {
			if err := checkPayload(input, service, name, CheckRequest); err != nil {
				var zero O
				return zero, err
			}
		}
		output, err := handler(ctx, input, options)
		if err != nil {
			return output, err
		}
		if validate&ValidateResponse != 0 {
			if err := checkPayload(output, service, name, CheckResponse); err != nil {
				var zero O
				return zero, err
			}
		}
		return output, nil
	})
}

// NewWorkflowRunOperation returns the workflow-run operation name of service:
// start starts the workflow (usually with [StartWorkflow]) and the workflow's
// result is the operation's. With [ValidateRequest] the request is checked
// before start runs.
//
// Like temporalnexus.NewWorkflowRunOperation, it panics when name is empty or
// uses the reserved __temporal_ prefix; generated code never passes such a name.
func NewWorkflowRunOperation[I, O any](
	service, name string,
	validate Validate,
	start func(ctx context.Context, input I, options nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[O], error),
) nexus.Operation[I, O] {
	return temporalnexus.MustNewWorkflowRunOperationWithOptions(temporalnexus.WorkflowRunOperationOptions[I, O]{
		Name: name,
		Handler: func(ctx context.Context, input I, options nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[O], error) {
			if validate&ValidateRequest != 0 {
				if err := checkPayload(input, service, name, CheckRequest); err != nil {
					return nil, err
				}
			}
			return start(ctx, input, options)
		},
	})
}

// WorkflowRun is how a workflow-run operation starts its workflow: the
// contract's (nexusproto.v1.operation).workflow_run option, with the
// workflow ID already computed from the request.
type WorkflowRun struct {
	// WorkflowType is the workflow's registered name. Required.
	WorkflowType string
	// ID is the workflow ID: from the contract's ID template, or
	// [DefaultWorkflowID] when it has none. Required: a retried start must
	// find the workflow the first attempt started.
	ID string
	// TaskQueue of the workflow; empty means the handler worker's own.
	TaskQueue string
	// IDReusePolicy says what happens when a closed workflow has the ID.
	IDReusePolicy enumspb.WorkflowIdReusePolicy
	// IDConflictPolicy says what happens when a running workflow has the ID.
	// USE_EXISTING attaches the caller to that workflow: it gets its result.
	IDConflictPolicy enumspb.WorkflowIdConflictPolicy
}

// StartWorkflow starts the workflow of run from a workflow-run operation's
// handler, with input as its single argument, and links it to the operation
// (temporalnexus.ExecuteUntypedWorkflow): the operation completes when the
// workflow does, with its result of type O.
//
// A nil input (or a [nexus.NoValue]) starts the workflow with no argument at
// all, for a google.protobuf.Empty request, as the Python runtime does: a
// workflow without parameters, in any SDK, then receives none rather than a
// null payload.
func StartWorkflow[O any](
	ctx context.Context,
	options nexus.StartOperationOptions,
	run WorkflowRun,
	input any,
) (temporalnexus.WorkflowHandle[O], error) {
	if run.WorkflowType == "" {
		// ExecuteUntypedWorkflow panics on a workflow it cannot name.
		return nil, errors.New("nexusproto: WorkflowRun.WorkflowType is empty")
	}
	return temporalnexus.ExecuteUntypedWorkflow[O](ctx, options, client.StartWorkflowOptions{
		ID:                       run.ID,
		TaskQueue:                run.TaskQueue,
		WorkflowIDReusePolicy:    run.IDReusePolicy,
		WorkflowIDConflictPolicy: run.IDConflictPolicy,
	}, run.WorkflowType, arguments(input)...)
}

// DefaultWorkflowID is the workflow ID of a workflow-run operation whose
// contract sets no ID template: "{service}/{operation}/{requestID}", as the
// Python runtime builds it. The caller's side sends the same request ID with
// every retry of one start, so a retried start finds the workflow it already
// started instead of starting a second one.
func DefaultWorkflowID(service, operation, requestID string) string {
	return service + "/" + operation + "/" + requestID
}

// checkPayload runs check on payload when it is a proto message.
func checkPayload(payload any, service, operation string, check func(proto.Message, string, string) error) error {
	message, ok := payload.(proto.Message)
	if !ok {
		return nil
	}
	return check(message, service, operation)
}
