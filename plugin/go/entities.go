package nexusproto

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/nexus-rpc/sdk-go/nexus"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	apinexus "go.temporal.io/api/temporalnexus"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/temporalnexus"
	"google.golang.org/grpc/codes"
)

// Operations bound to a long-lived workflow: an update, a signal or a query
// of it, as the contract's workflow_update, workflow_signal and
// workflow_query options say. Generated handler methods call [Update],
// [Signal] and [Query]; each reaches the workflow in the handler's own
// namespace through the Temporal client the SDK gives a Nexus handler, and
// turns what Temporal answers into what a Nexus caller can act on, as the
// Python runtime (nexusproto.entities) does, with the same texts:
//
//   - no workflow with that ID (never started, or already closed, for updates
//     and signals): a non-retryable NOT_FOUND [nexus.HandlerError],
//     "no running workflow with ID '<id>': <server's message>";
//   - an update the workflow rejects (its validator, or no such update) or
//     fails, a query it fails or does not define: a failed operation
//     ([nexus.OperationError]), "<kind> '<name>' of workflow '<id>' failed:
//     <workflow's message>", which no retry changes;
//   - anything else keeps the SDK's own classification (retryable unless it
//     says otherwise).
//
// Names and IDs are quoted as Python's repr quotes them, so that a caller
// reads the same text from a Go and from a Python handler.

// WorkflowStart says how an update or signal starts its workflow when none
// runs with the ID: the contract's `start` of a workflow_update or
// workflow_signal option. The workflow gets the request as its single
// argument (no argument for google.protobuf.Empty).
type WorkflowStart struct {
	// WorkflowType is the workflow's registered name. Required.
	WorkflowType string
	// TaskQueue of the workflow; empty means the handler worker's own, where
	// the team that owns the contract usually runs its workflows too.
	TaskQueue string
}

// WorkflowEntity names the long-lived workflow an operation reaches.
type WorkflowEntity struct {
	// WorkflowID is the workflow's ID, from the contract's ID template.
	WorkflowID string
	// Start, when set, starts the workflow if none runs with the ID
	// (update-with-start, signal-with-start). Nil: the workflow must already
	// run, otherwise the operation fails with NOT_FOUND. [Query] ignores it:
	// a query never starts a workflow.
	Start *WorkflowStart
}

// Update runs update of entity's workflow with input and returns its result,
// once the workflow has completed the update. A nil input sends no argument
// (google.protobuf.Empty); with O = [nexus.NoValue] the update's result is
// dropped.
//
// The update's ID is "{service}/{operation}/{request ID}", the operation's
// idempotency key: a start that the caller's side retries (after a timeout or
// a crashed handler worker) reaches the update it already sent, and the
// workflow runs it once.
//
// With entity.Start, a workflow that does not run is started with input as
// its argument and receives the update in the same call (update-with-start,
// ID conflict policy USE_EXISTING): concurrent first calls start one
// workflow. A closed workflow with the ID does not stop a new run (Temporal's
// default ID reuse policy).
func Update[O any](
	ctx context.Context,
	options nexus.StartOperationOptions,
	entity WorkflowEntity,
	update string,
	input any,
) (O, error) {
	var result O
	temporalClient := temporalnexus.GetClient(ctx)
	updateOptions := client.UpdateWorkflowOptions{
		UpdateID:     idempotencyKey(ctx, options),
		WorkflowID:   entity.WorkflowID,
		UpdateName:   update,
		Args:         arguments(input),
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	var handle client.WorkflowUpdateHandle
	var err error
	if entity.Start == nil {
		handle, err = temporalClient.UpdateWorkflow(ctx, updateOptions)
	} else {
		if entity.Start.WorkflowType == "" {
			return result, errors.New("nexusproto: WorkflowStart.WorkflowType is empty")
		}
		start := temporalClient.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID:        entity.WorkflowID,
			TaskQueue: startTaskQueue(ctx, entity.Start),
			// The first of concurrent calls starts the workflow; the others
			// update the run it started.
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, entity.Start.WorkflowType, arguments(input)...)
		handle, err = temporalClient.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start,
			UpdateOptions:          updateOptions,
		})
	}
	if err != nil {
		return result, notFound(err, entity.WorkflowID)
	}
	// Without a value to decode into, Get returns the update's own outcome:
	// its error is what the workflow rejected or failed, kept apart from an
	// error decoding the result below.
	if err := handle.Get(ctx, nil); err != nil {
		if isRPCError(ctx, err) {
			return result, notFound(err, entity.WorkflowID)
		}
		return result, failed("update "+pythonRepr(update), entity.WorkflowID, failureMessage(err))
	}
	if _, empty := any(result).(nexus.NoValue); empty {
		return result, nil
	}
	// An update that returned nothing answers with the zero value, as the
	// Python runtime answers with None.
	if err := handle.Get(ctx, &result); err != nil && !errors.Is(err, temporal.ErrNoData) {
		return result, err
	}
	return result, nil
}

// Signal sends signal with input to entity's workflow and returns once
// Temporal accepted it; a nil input sends no argument
// (google.protobuf.Empty). A signal has no ID to key on: a start that the
// caller's side retries may deliver it again, as with the Python runtime.
//
// With entity.Start, a workflow that does not run is started with input as
// its argument and receives the signal first (signal-with-start).
func Signal(
	ctx context.Context,
	options nexus.StartOperationOptions,
	entity WorkflowEntity,
	signal string,
	input any,
) error {
	if entity.Start != nil && entity.Start.WorkflowType == "" {
		return errors.New("nexusproto: WorkflowStart.WorkflowType is empty")
	}
	temporalClient := temporalnexus.GetClient(ctx)
	var err error
	switch {
	case isNoArgument(input):
		err = signalWithoutArgument(ctx, temporalClient, options, entity, signal)
	case entity.Start == nil:
		err = temporalClient.SignalWorkflow(ctx, entity.WorkflowID, "", signal, input)
	default:
		_, err = temporalClient.SignalWithStartWorkflow(ctx, entity.WorkflowID, signal, input, client.StartWorkflowOptions{
			ID:        entity.WorkflowID,
			TaskQueue: startTaskQueue(ctx, entity.Start),
		}, entity.Start.WorkflowType, input)
	}
	if err != nil {
		return notFound(err, entity.WorkflowID)
	}
	return nil
}

// Query runs query of entity's workflow with input and returns its result; a
// nil input sends no argument (google.protobuf.Empty), and with O =
// [nexus.NoValue] the result is dropped. A closed workflow still answers
// queries, with its final state. options is unused: it keeps the signature
// of [Update] and [Signal].
func Query[O any](
	ctx context.Context,
	options nexus.StartOperationOptions,
	entity WorkflowEntity,
	query string,
	input any,
) (O, error) {
	var result O
	value, err := temporalnexus.GetClient(ctx).QueryWorkflow(ctx, entity.WorkflowID, "", query, arguments(input)...)
	if err != nil {
		// The server answers INVALID_ARGUMENT when the workflow failed the
		// query or does not define it; the Python SDK reads every
		// INVALID_ARGUMENT of a query so (WorkflowQueryFailedError).
		var rpcErr serviceerror.ServiceError
		if errors.As(err, &rpcErr) && rpcErr.Status().Code() == codes.InvalidArgument {
			return result, failed("query "+pythonRepr(query), entity.WorkflowID, rpcErr.Status().Message())
		}
		return result, notFound(err, entity.WorkflowID)
	}
	if _, empty := any(result).(nexus.NoValue); empty || !value.HasValue() {
		return result, nil
	}
	err = value.Get(&result)
	return result, err
}

// idempotencyKey is "{service}/{operation}/{request ID}", the same for every
// attempt of one operation start, as the Python runtime's idempotency_key.
func idempotencyKey(ctx context.Context, options nexus.StartOperationOptions) string {
	info := nexus.ExtractHandlerInfo(ctx)
	return info.Service + "/" + info.Operation + "/" + options.RequestID
}

// isNoArgument tells whether input stands for google.protobuf.Empty: nil, or
// a nexus.NoValue (a typed nil, which == nil does not catch).
func isNoArgument(input any) bool {
	if input == nil {
		return true
	}
	_, empty := input.(nexus.NoValue)
	return empty
}

// arguments are the workflow handler's arguments: input, or none for
// google.protobuf.Empty, so that a handler without parameters (in any SDK)
// receives none.
func arguments(input any) []any {
	if isNoArgument(input) {
		return nil
	}
	return []any{input}
}

// startTaskQueue is start's task queue, or the handler worker's own.
func startTaskQueue(ctx context.Context, start *WorkflowStart) string {
	if start.TaskQueue != "" {
		return start.TaskQueue
	}
	return temporalnexus.GetOperationInfo(ctx).TaskQueue
}

// notFound returns the error of a call that found no workflow with the ID (a
// NOT_FOUND status, as the Python runtime checks it) as a non-retryable
// NOT_FOUND handler error: the caller can start the workflow or give up, but
// retrying the same request finds nothing either. Any other error is returned
// as it is, for the SDK's own classification.
func notFound(err error, workflowID string) error {
	var rpcErr serviceerror.ServiceError
	if !errors.As(err, &rpcErr) || rpcErr.Status().Code() != codes.NotFound {
		return err
	}
	return &nexus.HandlerError{
		Type:          nexus.HandlerErrorTypeNotFound,
		Message:       "no running workflow with ID " + pythonRepr(workflowID) + ": " + rpcErr.Status().Message(),
		RetryBehavior: nexus.HandlerErrorRetryBehaviorNonRetryable,
	}
}

// failed is the error of a call the workflow refused or failed: a failed
// operation, since retrying the same request gets the same answer. It has no
// cause, as the Python runtime's: the message carries the workflow's.
func failed(what, workflowID, message string) error {
	return &nexus.OperationError{
		State:   nexus.OperationStateFailed,
		Message: what + " of workflow " + pythonRepr(workflowID) + " failed: " + message,
	}
}

// isRPCError tells whether an update's error came from reaching the server
// (a status, a timed-out or canceled call) rather than from the workflow.
func isRPCError(ctx context.Context, err error) bool {
	var rpcErr serviceerror.ServiceError
	var timeoutErr *client.WorkflowUpdateServiceTimeoutOrCanceledError
	return errors.As(err, &rpcErr) || errors.As(err, &timeoutErr) || ctx.Err() != nil
}

// failureMessage is the message of a workflow's failure without what Error
// adds to it (type, retryability, causes), as Python's failure.message.
func failureMessage(err error) string {
	if withMessage, ok := err.(interface{ Message() string }); ok && withMessage.Message() != "" {
		return withMessage.Message()
	}
	return err.Error()
}

// signalWithoutArgument sends signal with no payload at all, as the Python
// runtime does for google.protobuf.Empty. The SDK cannot: SignalWorkflow and
// SignalWithStartWorkflow take exactly one signal argument and encode nil as
// a null payload, which a Python signal handler without parameters receives
// as an argument it does not take. So the request goes to the workflow
// service directly, with the links the SDK would add; client interceptors and
// context propagators do not see it, and it carries no client identity.
func signalWithoutArgument(
	ctx context.Context,
	temporalClient client.Client,
	options nexus.StartOperationOptions,
	entity WorkflowEntity,
	signal string,
) error {
	namespace := temporalnexus.GetOperationInfo(ctx).Namespace
	links := requestLinks(options.Links)
	// A fresh request ID, as the SDK and the Python runtime give a signal
	// from a handler: the request ID is not the signal's identity.
	requestID := uuid.NewString()
	if entity.Start == nil {
		response, err := temporalClient.WorkflowService().SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace:         namespace,
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: entity.WorkflowID},
			SignalName:        signal,
			RequestId:         requestID,
			Links:             links,
		})
		if err != nil {
			return err
		}
		addResponseLink(ctx, response.GetLink())
		return nil
	}
	response, err := temporalClient.WorkflowService().SignalWithStartWorkflowExecution(ctx, &workflowservice.SignalWithStartWorkflowExecutionRequest{
		Namespace:    namespace,
		WorkflowId:   entity.WorkflowID,
		WorkflowType: &commonpb.WorkflowType{Name: entity.Start.WorkflowType},
		TaskQueue: &taskqueuepb.TaskQueue{
			Name: startTaskQueue(ctx, entity.Start),
			Kind: enumspb.TASK_QUEUE_KIND_NORMAL,
		},
		SignalName: signal,
		RequestId:  requestID,
		Links:      links,
	})
	if err != nil {
		return err
	}
	addResponseLink(ctx, response.GetSignalLink())
	return nil
}

// requestLinks are the operation's inbound links in the form a workflow
// service request takes, so that the signaled workflow's history links back
// to the caller, as the SDK's own signal calls from a handler do.
func requestLinks(links []nexus.Link) []*commonpb.Link {
	var converted []*commonpb.Link
	for _, link := range links {
		if link.URL == nil {
			continue
		}
		if common, ok := apinexus.NexusLinkToCommonLink(&nexuspb.Link{Url: link.URL.String(), Type: link.Type}); ok {
			converted = append(converted, common)
		}
	}
	return converted
}

// addResponseLink adds the server's link to the signaled event to the
// operation's answer, so that the caller's history links to it, as the SDK
// does for its own signal calls from a handler.
func addResponseLink(ctx context.Context, link *commonpb.Link) {
	if link == nil {
		return
	}
	if converted := temporalnexus.ConvertCommonLinkToNexusLink(link); converted.URL != nil {
		nexus.AddHandlerLinks(ctx, converted)
	}
}
