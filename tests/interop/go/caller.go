package main

// The caller side: a workflow that calls the payments contract's operations
// through a Nexus endpoint, one scenario per run.
//
// Every scenario but the raw_ ones calls with the generated
// PaymentServiceNexusClient (payments_nexus.pb.go): the contract's names, its
// default endpoint when given none, its schedule-to-close timeout when the
// options set none, and its buf.validate rules, checked before anything is
// sent. The raw_ scenarios are the one check without generated code: the Go
// SDK's workflow.NewNexusClient and nexus.NewOperationReference with the names
// written out, so the wire is not only tested from generated code to generated
// code (and an invalid request reaches the handler).
//
// The report of a run (Outcome) has the result twice: as the raw payload that
// arrived (converter.RawValue) and decoded into the Go result type, so a
// decoding failure is told apart from an operation failure.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nexus-rpc/sdk-go/nexus"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	nexusproto "nexusproto.dev/go"
)

const (
	// A valid customer_id (the contract wants a UUID).
	customerID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
	// The schedule-to-close timeout of the scenarios that set one (the others
	// get the contract's) and of the raw calls. A call whose handler fails with
	// a retryable error would retry until then; the runner stops at the first
	// failed attempt instead (Outcome.AttemptFailure).
	callTimeout     = 30 * time.Second
	workflowTimeout = 2 * time.Minute
	callerWorkflow  = "GoCallerWorkflow"
)

// paymentRequest is the valid request of the scenarios (orderID is dropped by
// the older contract, which has no field for it).
func paymentRequest(orderID string) *ProcessPaymentRequest {
	return newPaymentRequest(customerID, orderID, &Money{Currency: "EUR", AmountMinor: 1999})
}

// invalidPaymentRequest breaks three rules of the contract: customer_id is no
// UUID, currency does not match ^[A-Z]{3}$, amount_minor is not > 0.
func invalidPaymentRequest() *ProcessPaymentRequest {
	return newPaymentRequest("not-a-uuid", "order-go-bad", &Money{Currency: "eur", AmountMinor: 0})
}

// nonUUIDCustomer is a customer_id that is no UUID: a request with it breaks
// only the current contract's string.uuid rule, which the older contract
// (proto_old/) does not have.
const nonUUIDCustomer = "customer-go-42"

// nonUUIDCustomerPaymentRequest is valid but for its customer_id, which only the
// current contract's rules refuse.
func nonUUIDCustomerPaymentRequest() *ProcessPaymentRequest {
	return newPaymentRequest(nonUUIDCustomer, "order-go-non-uuid", &Money{Currency: "EUR", AmountMinor: 1999})
}

// noOptions leaves the schedule-to-close timeout to the contract.
var noOptions = workflow.NexusOperationOptions{}

// scenarios maps each scenario name to the call it makes through endpoint.
var scenarios = map[string]func(ctx workflow.Context, endpoint string) Outcome{
	// A sync operation with a valid request; the contract's timeout.
	"process_payment": func(ctx workflow.Context, endpoint string) Outcome {
		request := paymentRequest("order-go-1")
		return generated(ctx, processPaymentOperation,
			newPaymentServiceNexusClient(endpoint).StartProcessPayment(ctx, request, noOptions))
	},
	// The same through the contract's default endpoint ("payments"): the
	// client is given none.
	"process_payment_default_endpoint": func(ctx workflow.Context, _ string) Outcome {
		request := paymentRequest("order-go-default")
		return generated(ctx, processPaymentOperation,
			newPaymentServiceNexusClient("").StartProcessPayment(ctx, request, noOptions))
	},
	// The same with a schedule-to-close timeout of the caller's.
	"process_payment_explicit_timeout": func(ctx workflow.Context, endpoint string) Outcome {
		request := paymentRequest("order-go-timeout")
		return generated(ctx, processPaymentOperation,
			newPaymentServiceNexusClient(endpoint).StartProcessPayment(ctx, request,
				workflow.NexusOperationOptions{ScheduleToCloseTimeout: callTimeout}))
	},
	// A workflow-run operation (the handler starts RefundPaymentWorkflow); the
	// transaction ID is unique per run, as the contract refuses a second refund.
	"refund_payment": func(ctx workflow.Context, endpoint string) Outcome {
		request := &RefundPaymentRequest{
			TransactionId: "tx-" + workflow.GetInfo(ctx).WorkflowExecution.ID,
			Amount:        &Money{Currency: "EUR", AmountMinor: 500},
			Reason:        "damaged in transit",
		}
		return generated(ctx, refundPaymentOperation,
			newPaymentServiceNexusClient(endpoint).StartRefundPayment(ctx, request, noOptions))
	},
	// google.protobuf.Empty in: the generated client sends nexus.NoValue (no payload).
	"check_health": func(ctx workflow.Context, endpoint string) Outcome {
		return generated(ctx, checkHealthOperation,
			newPaymentServiceNexusClient(endpoint).StartCheckHealth(ctx, noOptions))
	},
	// google.protobuf.Empty in and out.
	"reset_ledger": func(ctx workflow.Context, endpoint string) Outcome {
		return generated(ctx, resetLedgerOperation,
			newPaymentServiceNexusClient(endpoint).StartResetLedger(ctx, noOptions))
	},
	// An invalid request: the generated client does not send it.
	"invalid_payment": func(ctx workflow.Context, endpoint string) Outcome {
		return generated(ctx, processPaymentOperation,
			newPaymentServiceNexusClient(endpoint).StartProcessPayment(ctx, invalidPaymentRequest(), noOptions))
	},
	// A customer_id that is no UUID, through the generated client: built on
	// the older contract (interop-old), whose rules allow it, the client sends
	// it and a handler on the current contract must refuse it; built on the
	// current contract, the client does not send it.
	"process_payment_non_uuid_customer": func(ctx workflow.Context, endpoint string) Outcome {
		return generated(ctx, processPaymentOperation,
			newPaymentServiceNexusClient(endpoint).StartProcessPayment(ctx, nonUUIDCustomerPaymentRequest(), noOptions))
	},
	// The raw Go SDK, a valid request.
	"raw_process_payment": func(ctx workflow.Context, endpoint string) Outcome {
		return rawCall[*ProcessPaymentRequest, *ProcessPaymentResponse](ctx, endpoint, "ProcessPayment",
			paymentRequest("order-go-raw"))
	},
	// The raw Go SDK, the invalid request: nothing checks it before it is
	// sent, so the handler must refuse it.
	"raw_invalid_payment": func(ctx workflow.Context, endpoint string) Outcome {
		return rawCall[*ProcessPaymentRequest, *ProcessPaymentResponse](ctx, endpoint, "ProcessPayment",
			invalidPaymentRequest())
	},
}

// Outcome is what one scenario saw.
type Outcome struct {
	Scenario     string `json:"scenario"`
	WorkflowID   string `json:"workflow_id"`
	Operation    string `json:"operation"`
	InputGoType  string `json:"input_go_type"`
	ResultGoType string `json:"result_go_type"`
	// The result payload as it arrived, when the operation succeeded.
	RawResult *Payload `json:"raw_result"`
	// The result decoded into ResultGoType, as proto JSON (null for nexus.NoValue).
	Result any `json:"result"`
	// Set when decoding the raw result into ResultGoType failed.
	DecodeError string `json:"decode_error,omitempty"`
	// Set when the operation failed: the error chain fut.Get returned.
	Error []ErrorLevel `json:"error,omitempty"`
	// Set when an attempt failed with a retryable error: the runner reports the
	// server's last attempt failure and terminates the caller workflow.
	AttemptFailure []ErrorLevel `json:"attempt_failure,omitempty"`
}

// ErrorLevel is one error of a chain, outermost first.
type ErrorLevel struct {
	Kind             string `json:"kind"` // Go type, or the failure info of a server failure
	Message          string `json:"message"`
	HandlerErrorType string `json:"handler_error_type,omitempty"`
	ApplicationType  string `json:"application_type,omitempty"`
	NonRetryable     bool   `json:"non_retryable,omitempty"`
}

// CallerWorkflow runs one scenario against the endpoint.
func CallerWorkflow(ctx workflow.Context, endpoint, scenario string) (Outcome, error) {
	run, ok := scenarios[scenario]
	if !ok {
		return Outcome{}, temporal.NewNonRetryableApplicationError("unknown scenario "+scenario, "UnknownScenario", nil)
	}
	outcome := run(ctx, endpoint)
	outcome.Scenario = scenario
	outcome.WorkflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	return outcome, nil
}

// newOutcome is the outcome of a call of operation, before it finished.
func newOutcome[I, O any](operation string) Outcome {
	var input I
	var result O
	return Outcome{
		Operation:    operation,
		InputGoType:  fmt.Sprintf("%T", input),
		ResultGoType: fmt.Sprintf("%T", result),
	}
}

// generated reports a call made with the generated client: future is what its
// Start method returned, operation the generated reference it calls.
func generated[I, O any](ctx workflow.Context, operation nexus.OperationReference[I, O], future *nexusproto.OperationFuture[O]) Outcome {
	outcome := newOutcome[I, O](operation.Name())
	var raw converter.RawValue
	if err := future.Future().Get(ctx, &raw); err != nil {
		outcome.Error = describeError(err)
		return outcome
	}
	outcome.RawResult = reportPayload(raw.Payload())
	result, err := future.Get(ctx)
	if err != nil {
		outcome.DecodeError = err.Error()
		return outcome
	}
	outcome.Result = protoJSON(result)
	return outcome
}

// rawCall calls operation of payments.v1.PaymentService through endpoint with
// the Go SDK alone, as a Go team without generated code would.
func rawCall[I, O any](ctx workflow.Context, endpoint, operation string, input I) Outcome {
	outcome := newOutcome[I, O](operation)
	future := workflow.NewNexusClient(endpoint, "payments.v1.PaymentService").ExecuteOperation(ctx,
		nexus.NewOperationReference[I, O](operation), input,
		workflow.NexusOperationOptions{ScheduleToCloseTimeout: callTimeout})
	var raw converter.RawValue
	if err := future.Get(ctx, &raw); err != nil {
		outcome.Error = describeError(err)
		return outcome
	}
	outcome.RawResult = reportPayload(raw.Payload())
	var result O
	if err := future.Get(ctx, &result); err != nil {
		outcome.DecodeError = err.Error()
		return outcome
	}
	outcome.Result = protoJSON(result)
	return outcome
}

func describeError(err error) []ErrorLevel {
	var levels []ErrorLevel
	for ; err != nil; err = errors.Unwrap(err) {
		level := ErrorLevel{Kind: fmt.Sprintf("%T", err), Message: err.Error()}
		var handlerErr *nexus.HandlerError
		var appErr *temporal.ApplicationError
		var opErr *temporal.NexusOperationError
		switch {
		case errors.As(err, &opErr) && opErr == err:
			level.Message = opErr.Message
		case errors.As(err, &handlerErr) && handlerErr == err:
			level.Message = handlerErr.Message
			level.HandlerErrorType = string(handlerErr.Type)
			level.NonRetryable = !handlerErr.Retryable()
		case errors.As(err, &appErr) && appErr == err:
			level.Message = appErr.Message()
			level.ApplicationType = appErr.Type()
			level.NonRetryable = appErr.NonRetryable()
		}
		levels = append(levels, level)
	}
	return levels
}

func describeFailure(failure *failurepb.Failure) []ErrorLevel {
	var levels []ErrorLevel
	for ; failure != nil; failure = failure.GetCause() {
		level := ErrorLevel{Kind: fmt.Sprintf("%T", failure.GetFailureInfo()), Message: failure.GetMessage()}
		if info := failure.GetNexusHandlerFailureInfo(); info != nil {
			level.HandlerErrorType = info.GetType()
		}
		if info := failure.GetApplicationFailureInfo(); info != nil {
			level.ApplicationType = info.GetType()
			level.NonRetryable = info.GetNonRetryable()
		}
		levels = append(levels, level)
	}
	return levels
}

// CallerReport is what `interop caller` prints.
type CallerReport struct {
	Contract  string    `json:"contract"`
	Converter string    `json:"converter"`
	Namespace string    `json:"namespace"`
	Endpoint  string    `json:"endpoint"`
	TaskQueue string    `json:"task_queue"`
	Outcomes  []Outcome `json:"outcomes"`
}

func runCaller(args []string) error {
	flags := flag.NewFlagSet("caller", flag.ContinueOnError)
	address := flags.String("address", "127.0.0.1:7233", "frontend host:port")
	namespace := flags.String("namespace", "default", "namespace of the caller workflows")
	endpoint := flags.String("endpoint", "", "Nexus endpoint to call")
	converterName := flags.String("converter", "default", "data converter: default, lenient, binary")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *endpoint == "" || flags.NArg() == 0 {
		return fmt.Errorf("--endpoint and at least one scenario are required")
	}
	for _, name := range flags.Args() {
		if scenarios[name] == nil {
			return fmt.Errorf("unknown scenario %q", name)
		}
	}
	c, err := dial(*address, *namespace, *converterName)
	if err != nil {
		return err
	}
	defer c.Close()

	taskQueue := "go-caller-" + uuid.NewString()[:12]
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(CallerWorkflow, workflow.RegisterOptions{Name: callerWorkflow})
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()

	report := CallerReport{
		Contract:  contractVersion,
		Converter: *converterName,
		Namespace: *namespace,
		Endpoint:  *endpoint,
		TaskQueue: taskQueue,
	}
	ctx := context.Background()
	for _, name := range flags.Args() {
		outcome, err := runScenario(ctx, c, taskQueue, *endpoint, name)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", name, err)
		}
		report.Outcomes = append(report.Outcomes, outcome)
	}
	return printJSON(report)
}

// runScenario runs the caller workflow of one scenario to its end. While it
// runs, it watches the workflow's pending Nexus operation: an attempt that
// failed (a retryable error, which the server would retry until the call's
// timeout) is reported as the outcome, and the workflow is terminated.
func runScenario(ctx context.Context, c client.Client, taskQueue, endpoint, name string) (Outcome, error) {
	id := fmt.Sprintf("go-caller-%s-%s", strings.ReplaceAll(name, "_", "-"), uuid.NewString()[:12])
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                taskQueue,
		WorkflowExecutionTimeout: workflowTimeout,
	}, callerWorkflow, endpoint, name)
	if err != nil {
		return Outcome{}, err
	}
	type result struct {
		outcome Outcome
		err     error
	}
	done := make(chan result, 1)
	go func() {
		var outcome Outcome
		err := run.Get(ctx, &outcome)
		done <- result{outcome, err}
	}()
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case r := <-done:
			return r.outcome, r.err
		case <-ticker.C:
			description, err := c.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				continue
			}
			for _, op := range description.GetPendingNexusOperations() {
				if failure := op.GetLastAttemptFailure(); failure != nil {
					if err := c.TerminateWorkflow(ctx, id, "", "interop: a Nexus operation attempt failed"); err != nil {
						return Outcome{}, err
					}
					<-done
					return Outcome{
						Scenario:       name,
						WorkflowID:     id,
						Operation:      op.GetOperation(),
						AttemptFailure: describeFailure(failure),
					}, nil
				}
			}
		}
	}
}
