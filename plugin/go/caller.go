package nexusproto

import (
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"
)

// InvalidRequestErrorType is the type of the [temporal.ApplicationError] a
// caller gets instead of sending a request that breaks its rules; the same as
// the Python runtime's InvalidRequestError.
const InvalidRequestErrorType = "InvalidRequest"

// CallContract is what an operation's contract says about calls to it.
type CallContract struct {
	// ScheduleToCloseTimeout applies to calls whose options set none (zero).
	ScheduleToCloseTimeout time.Duration
	// Validate: with [ValidateRequest], a request that breaks its rules is not
	// sent. Other flags are ignored on the caller side.
	Validate Validate
}

// OperationFuture is the typed result of a Nexus operation started from a
// workflow.
type OperationFuture[O any] struct {
	future    workflow.Future
	execution workflow.Future
}

// Get waits for the operation to finish and returns its result. With O =
// [nexus.NoValue] (google.protobuf.Empty) any result is accepted and dropped,
// so that a handler that answers with an Empty message does not fail a caller
// that expects no payload.
func (f *OperationFuture[O]) Get(ctx workflow.Context) (O, error) {
	var result O
	if _, empty := any(result).(nexus.NoValue); empty {
		return result, f.future.Get(ctx, nil)
	}
	err := f.future.Get(ctx, &result)
	return result, err
}

// IsReady tells whether Get would return without blocking.
func (f *OperationFuture[O]) IsReady() bool {
	return f.future.IsReady()
}

// Future is the untyped future of the operation's result, for
// workflow.Selector.AddFuture. It is the SDK's
// [workflow.NexusOperationFuture], except when the request was refused before
// sending: then it is a future that already failed.
func (f *OperationFuture[O]) Future() workflow.Future {
	return f.future
}

// GetNexusOperationExecution is resolved with a
// [workflow.NexusOperationExecution] once the operation started (its token is
// empty for sync operations), or with the operation's error when it failed
// first; as [workflow.NexusOperationFuture]'s method of the same name.
func (f *OperationFuture[O]) GetNexusOperationExecution() workflow.Future {
	return f.execution
}

// StartOperation starts operation from workflow code through client and
// returns its typed future. contract's schedule-to-close timeout applies when
// options set none. With [ValidateRequest] in contract, a request that breaks
// its rules is never sent: the future has already failed with a
// non-retryable [temporal.ApplicationError] of type [InvalidRequestErrorType],
// whose message is "invalid request to {service}/{operation}: {summary}", so a
// workflow that returns it fails at once rather than retrying its task.
//
// A rule that cannot be evaluated (a bug in the contract) panics, which fails
// the workflow task; it is retried after a fix is deployed, as an uncaught
// exception in a Python workflow is.
func StartOperation[I, O any](
	ctx workflow.Context,
	client workflow.NexusClient,
	operation nexus.OperationReference[I, O],
	input I,
	options workflow.NexusOperationOptions,
	contract CallContract,
) *OperationFuture[O] {
	if options.ScheduleToCloseTimeout == 0 {
		options.ScheduleToCloseTimeout = contract.ScheduleToCloseTimeout
	}
	if contract.Validate&ValidateRequest != 0 {
		request, found, err := requestViolations(input)
		if err != nil {
			panic("nexusproto: cannot check the request to " + client.Service() + "/" + operation.Name() + ": " + err.Error())
		}
		if len(found) > 0 {
			future, settable := workflow.NewFuture(ctx)
			settable.SetError(invalidRequest(request, client.Service(), operation.Name(), found))
			return &OperationFuture[O]{future: future, execution: future}
		}
	}
	future := client.ExecuteOperation(ctx, operation, input, options)
	return &OperationFuture[O]{future: future, execution: future.GetNexusOperationExecution()}
}

// ExecuteOperation is [StartOperation] followed by Get: it returns the
// operation's result once the operation finished.
func ExecuteOperation[I, O any](
	ctx workflow.Context,
	client workflow.NexusClient,
	operation nexus.OperationReference[I, O],
	input I,
	options workflow.NexusOperationOptions,
	contract CallContract,
) (O, error) {
	return StartOperation(ctx, client, operation, input, options, contract).Get(ctx)
}

// requestViolations returns input as a message and the rules it breaks; no
// violations for a payload that is no proto message. The error is a rule that
// cannot be evaluated.
func requestViolations(input any) (proto.Message, []string, error) {
	request, ok := input.(proto.Message)
	if !ok {
		return nil, nil, nil
	}
	found, err := Violations(request)
	return request, found, err
}

// invalidRequest is the error of a request that was not sent. It is a
// non-retryable ApplicationError, as the Python runtime's InvalidRequestError:
// returned from a workflow, it fails the workflow instead of its task (which
// would be retried with the same request forever).
func invalidRequest(request proto.Message, service, operation string, violations []string) error {
	return temporal.NewNonRetryableApplicationError(
		"invalid request to "+service+"/"+operation+": "+Summary(request, violations),
		InvalidRequestErrorType,
		nil,
	)
}
