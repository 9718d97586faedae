package nexusproto

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/temporalnexus"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"nexusproto.dev/go/internal/testpb"
)

var (
	placeOrder = nexus.NewOperationReference[*testpb.Item, *testpb.Item]("PlaceOrder")
	runOrder   = nexus.NewOperationReference[*testpb.Item, *testpb.Item]("run-order")
	ping       = nexus.NewOperationReference[nexus.NoValue, nexus.NoValue]("Ping")
)

var testContract = CallContract{ScheduleToCloseTimeout: time.Minute, Validate: ValidateRequest}

// testShop serves the test operations and counts the calls that reach it.
func testShop(t *testing.T, calls *int) *nexus.Service {
	t.Helper()
	service := nexus.NewService(testService)
	err := service.Register(
		NewSyncOperation(testService, placeOrder.Name(), ValidateRequest|ValidateResponse,
			func(_ context.Context, item *testpb.Item, _ nexus.StartOperationOptions) (*testpb.Item, error) {
				*calls++
				return &testpb.Item{Sku: "placed-" + item.GetSku()}, nil
			}),
		NewWorkflowRunOperation(testService, runOrder.Name(), ValidateRequest,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[*testpb.Item], error) {
				*calls++
				return StartWorkflow[*testpb.Item](ctx, options, WorkflowRun{
					WorkflowType: "OrderWorkflow",
					ID:           DefaultWorkflowID(testService, runOrder.Name(), options.RequestID),
				}, item)
			}),
		NewSyncOperation(testService, ping.Name(), ValidateRequest|ValidateResponse,
			func(context.Context, nexus.NoValue, nexus.StartOperationOptions) (nexus.NoValue, error) {
				*calls++
				return nil, nil
			}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return service
}

func orderWorkflow(_ workflow.Context, item *testpb.Item) (*testpb.Item, error) {
	return &testpb.Item{Sku: "ran-" + item.GetSku()}, nil
}

// callerWorkflow calls operation (a name of the test references) with sku.
func callerWorkflow(ctx workflow.Context, operation, sku string) (string, error) {
	client := workflow.NewNexusClient("shop", testService)
	switch operation {
	case "ping":
		_, err := ExecuteOperation(ctx, client, ping, nil, workflow.NexusOperationOptions{}, testContract)
		return "pong", err
	case "place-unchecked":
		// No caller-side check: the handler refuses the request.
		unchecked := CallContract{Validate: ValidateNone}
		out, err := ExecuteOperation(ctx, client, placeOrder, &testpb.Item{Sku: sku}, workflow.NexusOperationOptions{}, unchecked)
		return out.GetSku(), err
	case "run":
		out, err := StartOperation(ctx, client, runOrder, &testpb.Item{Sku: sku}, workflow.NexusOperationOptions{}, testContract).Get(ctx)
		return out.GetSku(), err
	default:
		future := StartOperation(ctx, client, placeOrder, &testpb.Item{Sku: sku}, workflow.NexusOperationOptions{}, testContract)
		// The future works in a selector whether or not the request was sent.
		workflow.NewSelector(ctx).AddFuture(future.Future(), func(workflow.Future) {}).Select(ctx)
		if err := future.GetNexusOperationExecution().Get(ctx, nil); err != nil {
			return "", err
		}
		out, err := future.Get(ctx)
		return out.GetSku(), err
	}
}

func runCaller(t *testing.T, operation, sku string) (string, int, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterNexusService(testShop(t, &calls))
	env.RegisterWorkflowWithOptions(orderWorkflow, workflow.RegisterOptions{Name: "OrderWorkflow"})
	env.RegisterWorkflow(callerWorkflow)
	env.ExecuteWorkflow(callerWorkflow, operation, sku)
	if !env.IsWorkflowCompleted() {
		t.Fatal("caller workflow did not complete")
	}
	var out string
	err := env.GetWorkflowError()
	if err == nil {
		if err := env.GetWorkflowResult(&out); err != nil {
			t.Fatal(err)
		}
	}
	return out, calls, err
}

func TestCallerSendsValidRequest(t *testing.T) {
	out, calls, err := runCaller(t, "place", "a")
	if err != nil || out != "placed-a" || calls != 1 {
		t.Fatalf("got %q, %d calls, %v; want placed-a, 1 call", out, calls, err)
	}
}

func TestCallerRefusesInvalidRequest(t *testing.T) {
	for _, operation := range []string{"place", "run"} {
		t.Run(operation, func(t *testing.T) {
			_, calls, err := runCaller(t, operation, "")
			if calls != 0 {
				t.Errorf("the handler was called %d times; the request must not be sent", calls)
			}
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("workflow error %v has no ApplicationError", err)
			}
			name := map[string]string{"place": "PlaceOrder", "run": "run-order"}[operation]
			want := "invalid request to test.v1.Shop/" + name +
				": nexusproto.internal.testpb.Item: sku: must be at least 1 characters [string.min_len]"
			if appErr.Type() != InvalidRequestErrorType || !appErr.NonRetryable() || appErr.Message() != want {
				t.Errorf("ApplicationError = {%q %q non-retryable=%v}, want {InvalidRequest %q non-retryable=true}",
					appErr.Type(), appErr.Message(), appErr.NonRetryable(), want)
			}
		})
	}
}

func TestHandlerRefusesInvalidRequest(t *testing.T) {
	_, calls, err := runCaller(t, "place-unchecked", "")
	if calls != 0 {
		t.Errorf("the handler's code ran %d times; the request must be refused before", calls)
	}
	var opErr *temporal.NexusOperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("workflow error %v has no NexusOperationError", err)
	}
	var handlerErr *nexus.HandlerError
	if !errors.As(err, &handlerErr) {
		t.Fatalf("workflow error %v has no HandlerError", err)
	}
	want := "invalid request to test.v1.Shop/PlaceOrder: nexusproto.internal.testpb.Item: sku: must be at least 1 characters [string.min_len]"
	if handlerErr.Type != nexus.HandlerErrorTypeBadRequest || handlerErr.Retryable() || handlerErr.Message != want {
		t.Errorf("HandlerError = {%s %q retryable=%v}, want {BAD_REQUEST %q retryable=false}",
			handlerErr.Type, handlerErr.Message, handlerErr.Retryable(), want)
	}
}

func TestWorkflowRunOperation(t *testing.T) {
	out, calls, err := runCaller(t, "run", "b")
	if err != nil || out != "ran-b" || calls != 1 {
		t.Fatalf("got %q, %d calls, %v; want ran-b, 1 call", out, calls, err)
	}
}

func TestNoValue(t *testing.T) {
	out, calls, err := runCaller(t, "ping", "")
	if err != nil || out != "pong" || calls != 1 {
		t.Fatalf("got %q, %d calls, %v; want pong, 1 call", out, calls, err)
	}
}
