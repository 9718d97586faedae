package main

// The standalone side: application code, outside any workflow, calling the
// payments contract with the generated PaymentServiceStandaloneClient
// (payments_nexus.pb.go): each call is a standalone Nexus operation of the
// program's namespace, started through the Temporal client. What the generated
// client adds to the SDK's client.NexusClient: the contract's names, its
// default endpoint when given none, its schedule-to-close timeout when the
// options set none, a random operation ID when they set none, and its
// buf.validate rules, checked before anything is sent.
//
// Standalone Nexus operations are experimental in the Temporal Go SDK (and
// server): the server runs them only when enabled (dynamic config
// nexusoperation.enableStandalone and history.enableChasm, which the test
// suite's dev server sets).
//
// The report of a scenario (StandaloneOutcome) has the result twice, as for the
// caller workflows: the raw payload that arrived (converter.RawValue) and
// decoded into the Go result type; and what the SDK's Describe of the
// operation says (endpoint, service, operation, ID, timeout, status, whether it
// got an operation token, that is, ran asynchronously).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	nexusproto "nexusproto.dev/go"
)

// standaloneScenarios maps each scenario name to the calls it makes through
// endpoint with the generated standalone client.
var standaloneScenarios = map[string]func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome{
	// A sync operation, no options: a random operation ID and the contract's
	// timeout, both from the generated client.
	"process_payment": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(processPaymentOperation, err)
		}
		handle, err := payments.StartProcessPayment(ctx, paymentRequest("order-go-standalone"), client.StartNexusOperationOptions{})
		return standaloneStarted(ctx, processPaymentOperation, "", handle, err)
	},
	// The same through the contract's default endpoint ("payments"): the
	// client is given none.
	"process_payment_default_endpoint": func(ctx context.Context, c client.Client, _ string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, "")
		if err != nil {
			return clientFailed(processPaymentOperation, err)
		}
		handle, err := payments.StartProcessPayment(ctx, paymentRequest("order-go-standalone-default"), client.StartNexusOperationOptions{})
		return standaloneStarted(ctx, processPaymentOperation, "", handle, err)
	},
	// The same with a schedule-to-close timeout of the caller's.
	"process_payment_explicit_timeout": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(processPaymentOperation, err)
		}
		handle, err := payments.StartProcessPayment(ctx, paymentRequest("order-go-standalone-timeout"),
			client.StartNexusOperationOptions{ScheduleToCloseTimeout: callTimeout})
		return standaloneStarted(ctx, processPaymentOperation, "", handle, err)
	},
	// The method that waits for the result (ProcessPayment, not
	// StartProcessPayment), with an operation ID of the caller's: the
	// operation is then found on the server under that ID.
	"process_payment_explicit_id": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		outcome := newStandaloneOutcome(processPaymentOperation, "go-standalone-"+uuid.NewString())
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			outcome.Error = describeError(err)
			return outcome
		}
		result, err := payments.ProcessPayment(ctx, paymentRequest("order-go-standalone-id"),
			client.StartNexusOperationOptions{ID: outcome.RequestedID})
		if err != nil {
			outcome.Error = describeError(err)
		} else {
			outcome.Result = protoJSON(result)
		}
		handle := c.GetNexusOperationHandle(client.GetNexusOperationHandleOptions{OperationID: outcome.RequestedID})
		outcome.OperationID = handle.GetID()
		outcome.Described, outcome.DescribeError = describeOperation(ctx, handle)
		return outcome
	},
	// A workflow-run operation: the start returns a handle while the handler's
	// RefundPaymentWorkflow runs; Get waits for the workflow's result. The
	// transaction ID is unique per run, as the contract refuses a second refund.
	"refund_payment": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(refundPaymentOperation, err)
		}
		request := &RefundPaymentRequest{
			TransactionId: "tx-go-standalone-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12],
			Amount:        &Money{Currency: "EUR", AmountMinor: 500},
			Reason:        "damaged in transit",
		}
		handle, err := payments.StartRefundPayment(ctx, request, client.StartNexusOperationOptions{})
		outcome := standaloneStarted(ctx, refundPaymentOperation, "", handle, err)
		outcome.Input = protoJSON(request)
		return outcome
	},
	// google.protobuf.Empty in: the generated client sends nexus.NoValue.
	"check_health": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(checkHealthOperation, err)
		}
		handle, err := payments.StartCheckHealth(ctx, client.StartNexusOperationOptions{})
		return standaloneStarted(ctx, checkHealthOperation, "", handle, err)
	},
	// google.protobuf.Empty in and out.
	"reset_ledger": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(resetLedgerOperation, err)
		}
		handle, err := payments.StartResetLedger(ctx, client.StartNexusOperationOptions{})
		return standaloneStarted(ctx, resetLedgerOperation, "", handle, err)
	},
	// An invalid request, with an operation ID of the caller's: the generated
	// client does not send it (so no operation has that ID on the server).
	"invalid_payment": func(ctx context.Context, c client.Client, endpoint string) StandaloneOutcome {
		payments, err := newPaymentServiceStandaloneClient(c, endpoint)
		if err != nil {
			return clientFailed(processPaymentOperation, err)
		}
		id := "go-standalone-invalid-" + uuid.NewString()
		handle, err := payments.StartProcessPayment(ctx, invalidPaymentRequest(), client.StartNexusOperationOptions{ID: id})
		return standaloneStarted(ctx, processPaymentOperation, id, handle, err)
	},
}

// StandaloneOutcome is what one standalone scenario saw.
type StandaloneOutcome struct {
	Scenario     string `json:"scenario"`
	Operation    string `json:"operation"`
	InputGoType  string `json:"input_go_type"`
	ResultGoType string `json:"result_go_type"`
	// The request as proto JSON, where the test needs it (refund_payment).
	Input any `json:"input,omitempty"`
	// The operation ID the scenario's options set; "" when they set none.
	RequestedID string `json:"requested_id"`
	// The ID and run ID of the operation started; "" when none was.
	OperationID string `json:"operation_id"`
	RunID       string `json:"run_id"`
	// The operation's status as Describe saw it right after the start
	// returned, before waiting for the result.
	StatusAfterStart string `json:"status_after_start,omitempty"`
	// The result payload as it arrived, when the operation succeeded.
	RawResult *Payload `json:"raw_result"`
	// The result decoded into ResultGoType, as proto JSON (null for nexus.NoValue).
	Result any `json:"result"`
	// Set when decoding the raw result into ResultGoType failed.
	DecodeError string `json:"decode_error,omitempty"`
	// Set when the start or the operation failed: the error chain.
	Error []ErrorLevel `json:"error,omitempty"`
	// Set when an attempt failed with a retryable error: the server's last
	// attempt failure; the operation is then terminated.
	AttemptFailure []ErrorLevel `json:"attempt_failure,omitempty"`
	// What the SDK's Describe says of the operation once it closed.
	Described     *Description `json:"described,omitempty"`
	DescribeError string       `json:"describe_error,omitempty"`
}

// Description is what the SDK's NexusOperationHandle.Describe says.
type Description struct {
	OperationID                   string  `json:"operation_id"`
	Endpoint                      string  `json:"endpoint"`
	Service                       string  `json:"service"`
	Operation                     string  `json:"operation"`
	Status                        string  `json:"status"`
	ScheduleToCloseTimeoutSeconds float64 `json:"schedule_to_close_timeout_seconds"`
	// Whether the handler answered the start with an operation token (an
	// asynchronous operation, such as a workflow run).
	HasOperationToken bool `json:"has_operation_token"`
}

// newStandaloneOutcome is the outcome of a call of operation, before it started.
func newStandaloneOutcome[I, O any](operation nexus.OperationReference[I, O], requestedID string) StandaloneOutcome {
	var input I
	var result O
	return StandaloneOutcome{
		Operation:    operation.Name(),
		InputGoType:  fmt.Sprintf("%T", input),
		ResultGoType: fmt.Sprintf("%T", result),
		RequestedID:  requestedID,
	}
}

// clientFailed is the outcome of a scenario whose generated client could not be made.
func clientFailed[I, O any](operation nexus.OperationReference[I, O], err error) StandaloneOutcome {
	outcome := newStandaloneOutcome(operation, "")
	outcome.Error = describeError(err)
	return outcome
}

// standaloneStarted reports a call started with the generated client: handle
// and err are what its Start method returned, requestedID the ID its options set.
func standaloneStarted[I, O any](
	ctx context.Context,
	operation nexus.OperationReference[I, O],
	requestedID string,
	handle *nexusproto.OperationHandle[O],
	err error,
) StandaloneOutcome {
	outcome := newStandaloneOutcome(operation, requestedID)
	if err != nil {
		outcome.Error = describeError(err)
		return outcome
	}
	sdkHandle := handle.Handle()
	outcome.OperationID = sdkHandle.GetID()
	outcome.RunID = sdkHandle.GetRunID()
	if description, err := sdkHandle.Describe(ctx, client.DescribeNexusOperationOptions{}); err == nil {
		outcome.StatusAfterStart = statusName(description.Status)
	}
	raw, attemptFailure, err := waitStandalone(ctx, sdkHandle)
	switch {
	case attemptFailure != nil:
		outcome.AttemptFailure = attemptFailure
	case err != nil:
		outcome.Error = describeError(err)
	default:
		outcome.RawResult = reportPayload(raw.Payload())
		if result, err := handle.Get(ctx); err != nil {
			outcome.DecodeError = err.Error()
		} else {
			outcome.Result = protoJSON(result)
		}
	}
	outcome.Described, outcome.DescribeError = describeOperation(ctx, sdkHandle)
	return outcome
}

// waitStandalone waits for the operation's result as it arrives. While it
// waits, it watches the operation: an attempt that failed (a retryable error,
// which the server would retry until the timeout) is returned instead, and the
// operation is terminated.
func waitStandalone(ctx context.Context, handle client.NexusOperationHandle) (converter.RawValue, []ErrorLevel, error) {
	type result struct {
		raw converter.RawValue
		err error
	}
	done := make(chan result, 1)
	go func() {
		var raw converter.RawValue
		err := handle.Get(ctx, &raw)
		done <- result{raw, err}
	}()
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case r := <-done:
			return r.raw, nil, r.err
		case <-ticker.C:
			description, err := handle.Describe(ctx, client.DescribeNexusOperationOptions{})
			if err != nil || description.LastAttemptFailure == nil ||
				description.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_RUNNING {
				continue
			}
			if err := handle.Terminate(ctx, client.TerminateNexusOperationOptions{
				Reason: "interop: a Nexus operation attempt failed",
			}); err != nil {
				return converter.RawValue{}, nil, err
			}
			<-done
			return converter.RawValue{}, describeFailure(description.LastAttemptFailure), nil
		}
	}
}

// describeOperation is what the SDK's Describe says of the operation, or the
// text of its error.
func describeOperation(ctx context.Context, handle client.NexusOperationHandle) (*Description, string) {
	description, err := handle.Describe(ctx, client.DescribeNexusOperationOptions{})
	if err != nil {
		return nil, err.Error()
	}
	return &Description{
		OperationID:                   description.OperationID,
		Endpoint:                      description.Endpoint,
		Service:                       description.Service,
		Operation:                     description.Operation,
		Status:                        statusName(description.Status),
		ScheduleToCloseTimeoutSeconds: description.ScheduleToCloseTimeout.Seconds(),
		HasOperationToken:             description.OperationToken != "",
	}, ""
}

func statusName(status enumspb.NexusOperationExecutionStatus) string {
	return enumspb.NexusOperationExecutionStatus_name[int32(status)]
}

// StandaloneReport is what `interop standalone` prints.
type StandaloneReport struct {
	Contract  string              `json:"contract"`
	Converter string              `json:"converter"`
	Namespace string              `json:"namespace"`
	Endpoint  string              `json:"endpoint"`
	Outcomes  []StandaloneOutcome `json:"outcomes"`
}

func runStandalone(args []string) error {
	flags := flag.NewFlagSet("standalone", flag.ContinueOnError)
	address := flags.String("address", "127.0.0.1:7233", "frontend host:port")
	namespace := flags.String("namespace", "default", "namespace of the standalone operations")
	endpoint := flags.String("endpoint", "", "Nexus endpoint to call")
	converterName := flags.String("converter", "default", "data converter: default, lenient, binary")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *endpoint == "" || flags.NArg() == 0 {
		return errors.New("--endpoint and at least one scenario are required")
	}
	for _, name := range flags.Args() {
		if standaloneScenarios[name] == nil {
			return fmt.Errorf("unknown scenario %q", name)
		}
	}
	c, err := dial(*address, *namespace, *converterName)
	if err != nil {
		return err
	}
	defer c.Close()

	report := StandaloneReport{
		Contract:  contractVersion,
		Converter: *converterName,
		Namespace: *namespace,
		Endpoint:  *endpoint,
	}
	for _, name := range flags.Args() {
		ctx, cancel := context.WithTimeout(context.Background(), workflowTimeout)
		outcome := standaloneScenarios[name](ctx, c, *endpoint)
		cancel()
		outcome.Scenario = name
		report.Outcomes = append(report.Outcomes, outcome)
	}
	return printJSON(report)
}
