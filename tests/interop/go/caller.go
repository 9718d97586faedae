package main

// The caller side: a workflow that calls the payments contract's operations
// through a Nexus endpoint with the Go SDK's own API, one scenario per run.
//
// Every call uses a typed operation reference, nexus.NewOperationReference[I, O],
// as Go code generated for the contract does. The report of a run (Outcome) has
// the result twice: as the raw payload that arrived (converter.RawValue) and
// decoded into the Go result type, so a decoding failure is told apart from an
// operation failure.

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
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	serviceName = "payments.v1.PaymentService"
	// A valid customer_id (the contract wants a UUID).
	customerID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
	// Schedule-to-close timeout of every call. A call whose handler fails with a
	// retryable error would retry until then; the runner stops at the first
	// failed attempt instead (Outcome.AttemptFailure).
	callTimeout     = 30 * time.Second
	workflowTimeout = time.Minute
	callerWorkflow  = "GoCallerWorkflow"
)

// scenarios maps each scenario name to the call it makes.
var scenarios = map[string]func(workflow.Context, workflow.NexusClient) Outcome{
	// A sync operation with a valid request.
	"process_payment": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		request := newPaymentRequest(customerID, "order-go-1", &Money{Currency: "EUR", AmountMinor: 1999})
		return call[*ProcessPaymentRequest, *ProcessPaymentResponse](ctx, nc, "ProcessPayment", request)
	},
	// A workflow-run operation (the handler starts RefundPaymentWorkflow); the
	// transaction ID is unique per run, as the contract refuses a second refund.
	"refund_payment": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		request := &RefundPaymentRequest{
			TransactionId: "tx-" + workflow.GetInfo(ctx).WorkflowExecution.ID,
			Amount:        &Money{Currency: "EUR", AmountMinor: 500},
			Reason:        "damaged in transit",
		}
		return call[*RefundPaymentRequest, *RefundPaymentResponse](ctx, nc, "refund-payment", request)
	},
	// Empty input as a message: what a hand-written Go caller sends.
	"check_health_message": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		return call[*emptypb.Empty, *HealthStatus](ctx, nc, "CheckHealth", &emptypb.Empty{})
	},
	// Empty input as nexus.NoValue (nil): what the Go Nexus generators send.
	"check_health_novalue": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		return call[nexus.NoValue, *HealthStatus](ctx, nc, "CheckHealth", nexus.NoValue(nil))
	},
	// Empty input and output as messages.
	"reset_ledger_message": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		return call[*emptypb.Empty, *emptypb.Empty](ctx, nc, "ResetLedger", &emptypb.Empty{})
	},
	// Empty input and output as nexus.NoValue, as the Go Nexus generators type them.
	"reset_ledger_novalue": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		return call[nexus.NoValue, nexus.NoValue](ctx, nc, "ResetLedger", nexus.NoValue(nil))
	},
	// A request breaking three rules of the contract (customer_id is no UUID,
	// currency does not match ^[A-Z]{3}$, amount_minor is not > 0). Go has no
	// validation here: the handler must refuse it.
	"invalid_payment": func(ctx workflow.Context, nc workflow.NexusClient) Outcome {
		request := newPaymentRequest("not-a-uuid", "order-go-bad", &Money{Currency: "eur", AmountMinor: 0})
		return call[*ProcessPaymentRequest, *ProcessPaymentResponse](ctx, nc, "ProcessPayment", request)
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
	// Set when Get(ctx, nil), which discards the result, failed.
	DiscardError string `json:"discard_error,omitempty"`
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
	outcome := run(ctx, workflow.NewNexusClient(endpoint, serviceName))
	outcome.Scenario = scenario
	outcome.WorkflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	return outcome, nil
}

func call[I, O any](ctx workflow.Context, nc workflow.NexusClient, operation string, input I) Outcome {
	var zero O
	outcome := Outcome{
		Operation:    operation,
		InputGoType:  fmt.Sprintf("%T", input),
		ResultGoType: fmt.Sprintf("%T", zero),
	}
	future := nc.ExecuteOperation(ctx, nexus.NewOperationReference[I, O](operation), input,
		workflow.NexusOperationOptions{ScheduleToCloseTimeout: callTimeout})
	var raw converter.RawValue
	if err := future.Get(ctx, &raw); err != nil {
		outcome.Error = describeError(err)
		return outcome
	}
	outcome.RawResult = reportPayload(raw.Payload())
	if err := future.Get(ctx, nil); err != nil {
		outcome.DiscardError = err.Error()
	}
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
