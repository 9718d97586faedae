package nexusproto

import (
	"context"

	"github.com/google/uuid"
	"github.com/nexus-rpc/sdk-go/nexus"
	"go.temporal.io/sdk/client"
)

// OperationHandle is the typed handle of a standalone Nexus operation: one
// started from a [client.Client], outside any workflow.
//
// Standalone Nexus operations are experimental in the Temporal Go SDK, and the
// server runs them only when enabled (dynamic config
// nexusoperation.enableStandalone and history.enableChasm, on the dev server).
type OperationHandle[O any] struct {
	handle client.NexusOperationHandle
}

// Get waits for the operation to finish and returns its result; with O =
// [nexus.NoValue] any result is accepted and dropped, as in
// [OperationFuture.Get].
func (h *OperationHandle[O]) Get(ctx context.Context) (O, error) {
	var result O
	if _, empty := any(result).(nexus.NoValue); empty {
		return result, h.handle.Get(ctx, nil)
	}
	err := h.handle.Get(ctx, &result)
	return result, err
}

// Handle is the SDK's untyped handle, for the operation's ID, Describe,
// Cancel and Terminate.
func (h *OperationHandle[O]) Handle() client.NexusOperationHandle {
	return h.handle
}

// StartStandaloneOperation starts operation of service through nexusClient
// (from [client.Client.NewNexusClient]) and returns its typed handle. Without
// options.ID the operation gets a fresh random ID; contract's schedule-to-close
// timeout applies when options set none. With [ValidateRequest] in contract, a
// request that breaks its rules is not sent: the error is the non-retryable
// [temporal.ApplicationError] that [StartOperation] fails with.
//
// service is the Nexus service name that nexusClient was created with (the
// SDK's client.NexusClient does not tell it), for the error's text.
func StartStandaloneOperation[I, O any](
	ctx context.Context,
	nexusClient client.NexusClient,
	service string,
	operation nexus.OperationReference[I, O],
	input I,
	options client.StartNexusOperationOptions,
	contract CallContract,
) (*OperationHandle[O], error) {
	if options.ID == "" {
		options.ID = uuid.NewString()
	}
	if options.ScheduleToCloseTimeout == 0 {
		options.ScheduleToCloseTimeout = contract.ScheduleToCloseTimeout
	}
	if contract.Validate&ValidateRequest != 0 {
		request, found, err := requestViolations(input)
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			return nil, invalidRequest(request, service, operation.Name(), found)
		}
	}
	handle, err := nexusClient.ExecuteOperation(ctx, operation, input, options)
	if err != nil {
		return nil, err
	}
	return &OperationHandle[O]{handle: handle}, nil
}

// ExecuteStandaloneOperation is [StartStandaloneOperation] followed by Get.
func ExecuteStandaloneOperation[I, O any](
	ctx context.Context,
	nexusClient client.NexusClient,
	service string,
	operation nexus.OperationReference[I, O],
	input I,
	options client.StartNexusOperationOptions,
	contract CallContract,
) (O, error) {
	handle, err := StartStandaloneOperation(ctx, nexusClient, service, operation, input, options, contract)
	if err != nil {
		var zero O
		return zero, err
	}
	return handle.Get(ctx)
}
