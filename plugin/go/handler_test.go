package nexusproto

import (
	"context"
	"errors"
	"testing"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"nexusproto.dev/go/internal/testpb"
)

const (
	testService   = "test.v1.Shop"
	testOperation = "PlaceOrder"
)

// handlerError asserts that err is a *nexus.HandlerError and returns it.
func handlerError(t *testing.T, err error) *nexus.HandlerError {
	t.Helper()
	var handlerErr *nexus.HandlerError
	if !errors.As(err, &handlerErr) {
		t.Fatalf("error %v (%T) is no *nexus.HandlerError", err, err)
	}
	return handlerErr
}

// assertOnTheWire checks what the Temporal SDK sends for err: the failure a
// handler worker reports (with servers that take Temporal failures, as the
// 1.32 dev server does) carries the type, the retry behavior and the message,
// which a Python caller reads as HandlerError(type, retryable=False).
func assertOnTheWire(t *testing.T, err error, wantType string, wantMessage string) {
	t.Helper()
	failure := temporal.GetDefaultFailureConverter().ErrorToFailure(err)
	info := failure.GetNexusHandlerFailureInfo()
	if info == nil {
		t.Fatalf("failure %v has no NexusHandlerFailureInfo", failure)
	}
	if info.GetType() != wantType {
		t.Errorf("failure type = %q, want %q", info.GetType(), wantType)
	}
	if info.GetRetryBehavior() != enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE {
		t.Errorf("failure retry behavior = %v, want NON_RETRYABLE", info.GetRetryBehavior())
	}
	if failure.GetMessage() != wantMessage {
		t.Errorf("failure message = %q, want %q", failure.GetMessage(), wantMessage)
	}
}

func TestCheckRequest(t *testing.T) {
	if err := CheckRequest(&testpb.Item{Sku: "a"}, testService, testOperation); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	err := CheckRequest(&testpb.Item{}, testService, testOperation)
	handlerErr := handlerError(t, err)
	want := "invalid request to test.v1.Shop/PlaceOrder: nexusproto.internal.testpb.Item: sku: must be at least 1 characters [string.min_len]"
	if handlerErr.Type != nexus.HandlerErrorTypeBadRequest || handlerErr.Message != want || handlerErr.Retryable() {
		t.Errorf("CheckRequest = {%s %q retryable=%v}, want {BAD_REQUEST %q retryable=false}",
			handlerErr.Type, handlerErr.Message, handlerErr.Retryable(), want)
	}
	assertOnTheWire(t, err, "BAD_REQUEST", want)
}

func TestCheckResponse(t *testing.T) {
	if err := CheckResponse(&testpb.Item{Sku: "a"}, testService, testOperation); err != nil {
		t.Fatalf("valid response: %v", err)
	}
	err := CheckResponse(&testpb.Item{}, testService, testOperation)
	handlerErr := handlerError(t, err)
	want := "handler of test.v1.Shop/PlaceOrder returned an invalid response: nexusproto.internal.testpb.Item: sku: must be at least 1 characters [string.min_len]"
	// INTERNAL is retryable unless the error says otherwise.
	if handlerErr.Type != nexus.HandlerErrorTypeInternal || handlerErr.Message != want || handlerErr.Retryable() {
		t.Errorf("CheckResponse = {%s %q retryable=%v}, want {INTERNAL %q retryable=false}",
			handlerErr.Type, handlerErr.Message, handlerErr.Retryable(), want)
	}
	assertOnTheWire(t, err, "INTERNAL", want)
}

func TestNotImplemented(t *testing.T) {
	handlerErr := handlerError(t, NotImplemented(testService, testOperation))
	if handlerErr.Type != nexus.HandlerErrorTypeNotImplemented || handlerErr.Retryable() {
		t.Errorf("NotImplemented = {%s retryable=%v}, want {NOT_IMPLEMENTED retryable=false}", handlerErr.Type, handlerErr.Retryable())
	}
}

func TestDefaultWorkflowID(t *testing.T) {
	got := DefaultWorkflowID("payments.v1.PaymentService", "refund-payment", "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d")
	if want := "payments.v1.PaymentService/refund-payment/5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"; got != want {
		t.Errorf("DefaultWorkflowID = %q, want %q", got, want)
	}
}

// start runs a sync operation's Start outside any worker, as the SDK would.
func start[I, O any](t *testing.T, op nexus.Operation[I, O], input I) (O, error) {
	t.Helper()
	result, err := op.Start(context.Background(), input, nexus.StartOperationOptions{})
	if err != nil {
		var zero O
		return zero, err
	}
	sync, ok := result.(*nexus.HandlerStartOperationResultSync[O])
	if !ok {
		t.Fatalf("result %T is not sync", result)
	}
	return sync.Value, nil
}

func TestNewSyncOperation(t *testing.T) {
	calls := 0
	echo := func(answer *testpb.Item) func(context.Context, *testpb.Item, nexus.StartOperationOptions) (*testpb.Item, error) {
		return func(context.Context, *testpb.Item, nexus.StartOperationOptions) (*testpb.Item, error) {
			calls++
			return answer, nil
		}
	}
	both := ValidateRequest | ValidateResponse

	t.Run("invalid request never reaches the handler", func(t *testing.T) {
		calls = 0
		op := NewSyncOperation(testService, testOperation, both, echo(&testpb.Item{Sku: "a"}))
		_, err := start(t, op, &testpb.Item{})
		if handlerError(t, err).Type != nexus.HandlerErrorTypeBadRequest || calls != 0 {
			t.Errorf("err = %v, handler calls = %d; want BAD_REQUEST and 0 calls", err, calls)
		}
	})
	t.Run("invalid response", func(t *testing.T) {
		op := NewSyncOperation(testService, testOperation, both, echo(&testpb.Item{}))
		_, err := start(t, op, &testpb.Item{Sku: "a"})
		if handlerError(t, err).Type != nexus.HandlerErrorTypeInternal {
			t.Errorf("err = %v, want INTERNAL", err)
		}
	})
	t.Run("valid", func(t *testing.T) {
		op := NewSyncOperation(testService, testOperation, both, echo(&testpb.Item{Sku: "b"}))
		got, err := start(t, op, &testpb.Item{Sku: "a"})
		if err != nil || got.GetSku() != "b" {
			t.Errorf("got %v, %v; want sku b", got, err)
		}
	})
	t.Run("unchecked", func(t *testing.T) {
		op := NewSyncOperation(testService, testOperation, ValidateNone, echo(&testpb.Item{}))
		if _, err := start(t, op, &testpb.Item{}); err != nil {
			t.Errorf("err = %v, want none", err)
		}
	})
	t.Run("handler error passes through", func(t *testing.T) {
		boom := errors.New("boom")
		op := NewSyncOperation(testService, testOperation, both,
			func(context.Context, *testpb.Item, nexus.StartOperationOptions) (*testpb.Item, error) {
				return nil, boom
			})
		if _, err := start(t, op, &testpb.Item{Sku: "a"}); !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	})
	t.Run("NoValue is never checked", func(t *testing.T) {
		op := NewSyncOperation(testService, testOperation, both,
			func(context.Context, nexus.NoValue, nexus.StartOperationOptions) (nexus.NoValue, error) {
				return nil, nil
			})
		if _, err := start(t, op, nil); err != nil {
			t.Errorf("err = %v, want none", err)
		}
	})
}
