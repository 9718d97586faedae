package nexusproto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/temporalnexus"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"nexusproto.dev/go/internal/testpb"
)

// --- without a server ---------------------------------------------------------------

func TestArguments(t *testing.T) {
	item := &testpb.Item{Sku: "a"}
	for _, tt := range []struct {
		name  string
		input any
		want  int
	}{
		{"nil", nil, 0},
		{"NoValue", nexus.NoValue(nil), 0},
		{"message", item, 1},
	} {
		if got := arguments(tt.input); len(got) != tt.want {
			t.Errorf("arguments(%s) = %v, want %d arguments", tt.name, got, tt.want)
		}
	}
}

func TestNotFound(t *testing.T) {
	err := notFound(fmt.Errorf("failed workflow update: %w", serviceerror.NewNotFound("workflow not found for ID: cart-1")), "cart-1")
	want := "no running workflow with ID 'cart-1': workflow not found for ID: cart-1"
	handlerErr := handlerError(t, err)
	if handlerErr.Type != nexus.HandlerErrorTypeNotFound || handlerErr.Message != want || handlerErr.Retryable() {
		t.Errorf("notFound = {%s %q retryable=%v}, want {NOT_FOUND %q retryable=false}",
			handlerErr.Type, handlerErr.Message, handlerErr.Retryable(), want)
	}
	assertOnTheWire(t, err, "NOT_FOUND", want)

	// Other statuses keep the SDK's classification.
	unavailable := serviceerror.NewUnavailable("try later")
	if got := notFound(unavailable, "cart-1"); got != unavailable {
		t.Errorf("notFound(Unavailable) = %v, want the error unchanged", got)
	}
}

func TestFailed(t *testing.T) {
	err := failed("update "+pythonRepr("add_item"), "it's", "priced in EUR, not USD")
	var opErr *nexus.OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("failed = %T, want *nexus.OperationError", err)
	}
	want := `update 'add_item' of workflow "it's" failed: priced in EUR, not USD`
	if opErr.State != nexus.OperationStateFailed || opErr.Message != want || opErr.Cause != nil {
		t.Errorf("failed = {%s %q cause=%v}, want {failed %q no cause}", opErr.State, opErr.Message, opErr.Cause, want)
	}
}

func TestFailureMessage(t *testing.T) {
	appErr := temporal.NewApplicationErrorWithCause("refused", "Refusal", errors.New("why"))
	if got := failureMessage(appErr); got != "refused" {
		t.Errorf("failureMessage(ApplicationError) = %q, want the message alone", got)
	}
	if got := failureMessage(errors.New("plain")); got != "plain" {
		t.Errorf("failureMessage(plain) = %q, want %q", got, "plain")
	}
}

// countArguments is a dynamic workflow that answers how many arguments it was
// started with: none, or some.
func countArguments(_ workflow.Context, args converter.EncodedValues) (string, error) {
	if args.HasValues() {
		return "arguments", nil
	}
	return "no arguments", nil
}

func TestStartWorkflowWithoutArgument(t *testing.T) {
	service := nexus.NewService(testService)
	err := service.Register(
		NewWorkflowRunOperation(testService, "run-empty", ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[string], error) {
				return StartWorkflow[string](ctx, options, WorkflowRun{WorkflowType: "Counted", ID: "empty-" + options.RequestID}, nil)
			}),
		NewWorkflowRunOperation(testService, "run-item", ValidateNone,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[string], error) {
				return StartWorkflow[string](ctx, options, WorkflowRun{WorkflowType: "Counted", ID: "item-" + options.RequestID}, item)
			}),
	)
	if err != nil {
		t.Fatal(err)
	}
	caller := func(ctx workflow.Context) ([]string, error) {
		shop := workflow.NewNexusClient("shop", testService)
		options := workflow.NexusOperationOptions{ScheduleToCloseTimeout: time.Minute}
		var empty, item string
		if err := shop.ExecuteOperation(ctx, "run-empty", nil, options).Get(ctx, &empty); err != nil {
			return nil, err
		}
		if err := shop.ExecuteOperation(ctx, "run-item", &testpb.Item{Sku: "a"}, options).Get(ctx, &item); err != nil {
			return nil, err
		}
		return []string{empty, item}, nil
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterNexusService(service)
	env.RegisterDynamicWorkflow(countArguments, workflow.DynamicRegisterOptions{})
	env.RegisterWorkflowWithOptions(caller, workflow.RegisterOptions{Name: "Caller"})
	env.ExecuteWorkflow("Caller")
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ", ") != "no arguments, arguments" {
		t.Errorf("the workflows got %v, want [no arguments arguments]", got)
	}
}

// --- on a dev server ------------------------------------------------------------------
//
// The SDK's test environment cannot serve these helpers (its client panics in
// sync operations), so they run against a real `temporal server start-dev`,
// started once for the package's tests: the binary from $TEMPORAL_CLI, the
// repository's .venv, or $PATH; the tests skip when there is none (never
// downloaded).

var devServer struct {
	once    sync.Once
	process *exec.Cmd
	exited  chan struct{}
	client  client.Client
	log     string
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopDevServer()
	os.Exit(code)
}

// temporalCLI is the path of the temporal binary, or "" when there is none.
func temporalCLI() string {
	if path := os.Getenv("TEMPORAL_CLI"); path != "" {
		return path
	}
	if path, err := filepath.Abs(filepath.Join("..", "..", ".venv", "bin", "temporal")); err == nil {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	path, _ := exec.LookPath("temporal")
	return path
}

// freePort is a TCP port nothing listens on right now.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// quietLogger drops the SDK's logs, which the server's tests would flood.
var quietLogger = log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// serverClient returns a client of the package's dev server, starting the
// server on first use; it skips t when there is no temporal binary.
func serverClient(t *testing.T) client.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Temporal dev server")
	}
	cli := temporalCLI()
	if cli == "" {
		t.Skip("no temporal binary: set TEMPORAL_CLI")
	}
	devServer.once.Do(func() { devServer.err = startDevServer(cli) })
	if devServer.err != nil {
		t.Fatalf("dev server: %v (log: %s)", devServer.err, devServer.log)
	}
	return devServer.client
}

func startDevServer(cli string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	httpPort, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.CreateTemp("", "nexusproto-dev-server-*.log")
	if err != nil {
		return err
	}
	devServer.log = logFile.Name()
	process := exec.Command(cli, "server", "start-dev", "--headless",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(port), "--http-port", strconv.Itoa(httpPort),
		"--log-level", "warn")
	process.Stdout, process.Stderr = logFile, logFile
	if err := process.Start(); err != nil {
		logFile.Close()
		return err
	}
	devServer.process = process
	devServer.exited = make(chan struct{})
	go func() {
		_ = process.Wait()
		logFile.Close()
		close(devServer.exited)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort: "127.0.0.1:" + strconv.Itoa(port),
			Logger:   quietLogger,
		})
		if err == nil {
			if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				devServer.client = c
				return nil
			}
			c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not serving after a minute: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stopDevServer stops the server this process started (only it, by its
// process), politely first.
func stopDevServer() {
	if devServer.client != nil {
		devServer.client.Close()
	}
	process := devServer.process
	if process == nil || process.Process == nil {
		return
	}
	_ = process.Process.Signal(os.Interrupt)
	select {
	case <-devServer.exited:
	case <-time.After(15 * time.Second):
		_ = process.Process.Kill()
		<-devServer.exited
	}
}

// --- the cart: a long-lived workflow and the operations bound to it ---------------

const cartService = "test.v1.Carts"

var (
	addItem           = nexus.NewOperationReference[*testpb.Item, *testpb.Order]("AddItem")
	removeItem        = nexus.NewOperationReference[*testpb.Item, *testpb.Order]("RemoveItem")
	clearCart         = nexus.NewOperationReference[nexus.NoValue, nexus.NoValue]("Clear")
	clearWithStart    = nexus.NewOperationReference[nexus.NoValue, nexus.NoValue]("ClearWithStart")
	applyCoupon       = nexus.NewOperationReference[*testpb.Item, nexus.NoValue]("ApplyCoupon")
	checkout          = nexus.NewOperationReference[nexus.NoValue, nexus.NoValue]("Checkout")
	checkoutWithStart = nexus.NewOperationReference[nexus.NoValue, nexus.NoValue]("CheckoutWithStart")
	getCart           = nexus.NewOperationReference[nexus.NoValue, *testpb.Order]("GetCart")
	getLine           = nexus.NewOperationReference[*testpb.Item, *testpb.Item]("GetLine")
)

// cartWorkflow is a shopping cart: items (Order.items), coupons (Order.code,
// each followed by ";"), until checkout.
func cartWorkflow(ctx workflow.Context, _ *testpb.Item) (*testpb.Order, error) {
	cart := &testpb.Order{}
	checkedOut := false
	if err := workflow.SetQueryHandler(ctx, "get", func() (*testpb.Order, error) {
		return cart, nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetQueryHandler(ctx, "line", func(item *testpb.Item) (*testpb.Item, error) {
		count := 0
		for _, line := range cart.Items {
			if line.GetSku() == item.GetSku() {
				count++
			}
		}
		return &testpb.Item{Sku: fmt.Sprintf("%s x%d", item.GetSku(), count)}, nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "add_item",
		func(_ workflow.Context, item *testpb.Item) (*testpb.Order, error) {
			cart.Items = append(cart.Items, item)
			return cart, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, item *testpb.Item) error {
			if strings.HasPrefix(item.GetSku(), "bad") {
				return fmt.Errorf("item %s is refused", item.GetSku())
			}
			return nil
		}},
	); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandler(ctx, "remove_item", func(_ workflow.Context, item *testpb.Item) (*testpb.Order, error) {
		kept := cart.Items[:0]
		for _, line := range cart.Items {
			if line.GetSku() != item.GetSku() {
				kept = append(kept, line)
			}
		}
		if len(kept) == len(cart.Items) {
			return nil, temporal.NewApplicationError("cart holds no item "+item.GetSku(), "NoSuchItem")
		}
		cart.Items = kept
		return cart, nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandler(ctx, "clear", func(workflow.Context) error {
		cart.Items = nil
		return nil
	}); err != nil {
		return nil, err
	}
	coupons := workflow.GetSignalChannel(ctx, "apply_coupon")
	checkouts := workflow.GetSignalChannel(ctx, "checkout")
	for !checkedOut {
		selector := workflow.NewSelector(ctx)
		selector.AddReceive(coupons, func(c workflow.ReceiveChannel, _ bool) {
			var coupon *testpb.Item
			c.Receive(ctx, &coupon)
			cart.Code += coupon.GetSku() + ";"
		})
		selector.AddReceive(checkouts, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			checkedOut = true
		})
		selector.Select(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return nil, err
	}
	return cart, nil
}

// bareCart runs under the cart's workflow ID with none of its handlers: what
// a worker runs when the workflow and the contract drifted apart.
func bareCart(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return false })
}

// cartCall is one operation a caller workflow calls: its name and the SKU of
// its request, for operations that take an item.
type cartCall struct {
	Operation string
	Sku       string
}

// cartCaller is another team's workflow: it calls each operation through the
// endpoint (all at once when parallel) and answers with what each returned or
// failed with.
func cartCaller(ctx workflow.Context, endpoint string, calls []cartCall, parallel bool) ([]string, error) {
	carts := workflow.NewNexusClient(endpoint, cartService)
	contract := CallContract{ScheduleToCloseTimeout: 30 * time.Second, Validate: ValidateRequest}
	options := workflow.NexusOperationOptions{}
	pending := make([]func() string, len(calls))
	for i, call := range calls {
		item := &testpb.Item{Sku: call.Sku}
		switch call.Operation {
		case "AddItem":
			pending[i] = started(ctx, StartOperation(ctx, carts, addItem, item, options, contract), showCart)
		case "RemoveItem":
			pending[i] = started(ctx, StartOperation(ctx, carts, removeItem, item, options, contract), showCart)
		case "Clear":
			pending[i] = started(ctx, StartOperation(ctx, carts, clearCart, nil, options, contract), showNothing)
		case "ClearWithStart":
			pending[i] = started(ctx, StartOperation(ctx, carts, clearWithStart, nil, options, contract), showNothing)
		case "ApplyCoupon":
			pending[i] = started(ctx, StartOperation(ctx, carts, applyCoupon, item, options, contract), showNothing)
		case "Checkout":
			pending[i] = started(ctx, StartOperation(ctx, carts, checkout, nil, options, contract), showNothing)
		case "CheckoutWithStart":
			pending[i] = started(ctx, StartOperation(ctx, carts, checkoutWithStart, nil, options, contract), showNothing)
		case "GetCart":
			pending[i] = started(ctx, StartOperation(ctx, carts, getCart, nil, options, contract), showCart)
		case "GetLine":
			pending[i] = started(ctx, StartOperation(ctx, carts, getLine, item, options, contract), func(line *testpb.Item) string {
				return "line " + line.GetSku()
			})
		default:
			return nil, fmt.Errorf("unknown operation %q", call.Operation)
		}
		if !parallel {
			result := pending[i]()
			pending[i] = func() string { return result }
		}
	}
	answers := make([]string, len(calls))
	for i, answer := range pending {
		answers[i] = answer()
	}
	return answers, nil
}

// started returns what the operation of future answers, shown with show, or
// how it failed; it waits when called.
func started[O any](ctx workflow.Context, future *OperationFuture[O], show func(O) string) func() string {
	return func() string {
		result, err := future.Get(ctx)
		if err != nil {
			return describeFailure(err)
		}
		return show(result)
	}
}

func showCart(cart *testpb.Order) string {
	skus := make([]string, len(cart.GetItems()))
	for i, item := range cart.GetItems() {
		skus[i] = item.GetSku()
	}
	return fmt.Sprintf("items=%v coupons=%q", skus, cart.GetCode())
}

func showNothing(nexus.NoValue) string { return "ok" }

// describeFailure is what a caller learns from a failed operation: the
// handler error or the failed operation's application error.
func describeFailure(err error) string {
	var handlerErr *nexus.HandlerError
	if errors.As(err, &handlerErr) {
		return fmt.Sprintf("HandlerError %s retryable=%v: %s", handlerErr.Type, handlerErr.Retryable(), handlerErr.Message)
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return fmt.Sprintf("ApplicationError %s non-retryable=%v: %s", appErr.Type(), appErr.NonRetryable(), appErr.Message())
	}
	return "error: " + err.Error()
}

// cartHarness serves the cart operations and workflows on a fresh task queue
// behind a fresh endpoint, for the cart with ID cartID.
type cartHarness struct {
	t        *testing.T
	client   client.Client
	endpoint string
	queue    string

	mu     sync.Mutex
	cartID string
	// loseFirstAnswer fails the first attempt of each AddItem after the
	// update ran, as if its answer never reached the caller.
	loseFirstAnswer bool
	attempts        []string
}

func newCartHarness(t *testing.T) *cartHarness {
	t.Helper()
	c := serverClient(t)
	suffix := strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	h := &cartHarness{
		t:        t,
		client:   c,
		endpoint: "carts-" + suffix,
		queue:    "carts-queue-" + suffix,
		cartID:   "cart-" + suffix,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.OperatorService().CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{
		Spec: &nexuspb.EndpointSpec{
			Name: h.endpoint,
			Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{
				Worker: &nexuspb.EndpointTarget_Worker{Namespace: "default", TaskQueue: h.queue},
			}},
		},
	})
	if err != nil {
		t.Fatalf("creating the endpoint: %v", err)
	}
	w := worker.New(c, h.queue, worker.Options{})
	w.RegisterNexusService(h.service())
	w.RegisterWorkflowWithOptions(cartWorkflow, workflow.RegisterOptions{Name: "CartWorkflow"})
	w.RegisterWorkflowWithOptions(bareCart, workflow.RegisterOptions{Name: "BareCart"})
	w.RegisterWorkflow(cartCaller)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return h
}

// entity is the cart's workflow, started as CartWorkflow when withStart.
func (h *cartHarness) entity(withStart bool) WorkflowEntity {
	h.mu.Lock()
	defer h.mu.Unlock()
	entity := WorkflowEntity{WorkflowID: h.cartID}
	if withStart {
		entity.Start = &WorkflowStart{WorkflowType: "CartWorkflow"}
	}
	return entity
}

// service is the cart service as generated code would write it: each
// operation one call of Update, Signal or Query.
func (h *cartHarness) service() *nexus.Service {
	service := nexus.NewService(cartService)
	err := service.Register(
		NewSyncOperation(cartService, addItem.Name(), ValidateRequest,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (*testpb.Order, error) {
				cart, err := Update[*testpb.Order](ctx, options, h.entity(true), "add_item", item)
				if err != nil {
					return nil, err
				}
				h.mu.Lock()
				defer h.mu.Unlock()
				h.attempts = append(h.attempts, options.RequestID)
				if h.loseFirstAnswer && len(h.attempts) == 1 {
					return nil, &nexus.HandlerError{
						Type:          nexus.HandlerErrorTypeInternal,
						Message:       "answer lost",
						RetryBehavior: nexus.HandlerErrorRetryBehaviorRetryable,
					}
				}
				return cart, nil
			}),
		NewSyncOperation(cartService, removeItem.Name(), ValidateRequest,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (*testpb.Order, error) {
				return Update[*testpb.Order](ctx, options, h.entity(false), "remove_item", item)
			}),
		NewSyncOperation(cartService, clearCart.Name(), ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (nexus.NoValue, error) {
				return Update[nexus.NoValue](ctx, options, h.entity(false), "clear", nil)
			}),
		NewSyncOperation(cartService, clearWithStart.Name(), ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (nexus.NoValue, error) {
				return Update[nexus.NoValue](ctx, options, h.entity(true), "clear", nil)
			}),
		NewSyncOperation(cartService, applyCoupon.Name(), ValidateRequest,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (nexus.NoValue, error) {
				return nil, Signal(ctx, options, h.entity(true), "apply_coupon", item)
			}),
		NewSyncOperation(cartService, checkout.Name(), ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (nexus.NoValue, error) {
				return nil, Signal(ctx, options, h.entity(false), "checkout", nil)
			}),
		NewSyncOperation(cartService, checkoutWithStart.Name(), ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (nexus.NoValue, error) {
				return nil, Signal(ctx, options, h.entity(true), "checkout", nil)
			}),
		NewSyncOperation(cartService, getCart.Name(), ValidateNone,
			func(ctx context.Context, _ nexus.NoValue, options nexus.StartOperationOptions) (*testpb.Order, error) {
				return Query[*testpb.Order](ctx, options, h.entity(false), "get", nil)
			}),
		NewSyncOperation(cartService, getLine.Name(), ValidateRequest,
			func(ctx context.Context, item *testpb.Item, options nexus.StartOperationOptions) (*testpb.Item, error) {
				return Query[*testpb.Item](ctx, options, h.entity(false), "line", item)
			}),
	)
	if err != nil {
		h.t.Fatal(err)
	}
	return service
}

// call runs a caller workflow making calls (one after the other, or all at
// once) and returns what each answered.
func (h *cartHarness) call(parallel bool, calls ...cartCall) []string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	run, err := h.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       "caller-" + uuid.NewString(),
		TaskQueue:                h.queue,
		WorkflowExecutionTimeout: 80 * time.Second,
	}, cartCaller, h.endpoint, calls, parallel)
	if err != nil {
		h.t.Fatal(err)
	}
	var answers []string
	if err := run.Get(ctx, &answers); err != nil {
		h.t.Fatalf("caller workflow: %v", err)
	}
	for i, answer := range answers {
		h.t.Logf("%s(%s) -> %s", calls[i].Operation, calls[i].Sku, answer)
	}
	return answers
}

// inputs lists, for the cart's latest run, how many payloads its start, each
// update and each signal carried: "start 1", "update add_item 1",
// "signal checkout 0 linked", in history order.
func (h *cartHarness) inputs() []string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var found []string
	events := h.client.GetWorkflowHistory(ctx, h.cartID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			h.t.Fatal(err)
		}
		if attributes := event.GetWorkflowExecutionStartedEventAttributes(); attributes != nil {
			found = append(found, fmt.Sprintf("start %d", len(attributes.GetInput().GetPayloads())))
		}
		if attributes := event.GetWorkflowExecutionUpdateAcceptedEventAttributes(); attributes != nil {
			input := attributes.GetAcceptedRequest().GetInput()
			found = append(found, fmt.Sprintf("update %s %d", input.GetName(), len(input.GetArgs().GetPayloads())))
		}
		if attributes := event.GetWorkflowExecutionSignaledEventAttributes(); attributes != nil {
			signal := fmt.Sprintf("signal %s %d", attributes.GetSignalName(), len(attributes.GetInput().GetPayloads()))
			if len(event.GetLinks()) > 0 {
				// The signaled event links back to the caller's workflow.
				signal += " linked"
			}
			found = append(found, signal)
		}
	}
	return found
}

// updateIDs lists the IDs of the updates the cart's latest run accepted.
func (h *cartHarness) updateIDs() []string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ids []string
	events := h.client.GetWorkflowHistory(ctx, h.cartID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			h.t.Fatal(err)
		}
		if attributes := event.GetWorkflowExecutionUpdateAcceptedEventAttributes(); attributes != nil {
			ids = append(ids, attributes.GetAcceptedRequest().GetMeta().GetUpdateId())
		}
	}
	return ids
}

func assertAnswers(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("answers:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answer %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestEntityUpdateSignalAndQuery(t *testing.T) {
	h := newCartHarness(t)
	answers := h.call(false,
		cartCall{"AddItem", "tea"},
		cartCall{"AddItem", "cups"},
		cartCall{"ApplyCoupon", "WELCOME"},
		cartCall{"GetCart", ""},
		cartCall{"GetLine", "cups"},
		cartCall{"RemoveItem", "cups"},
		cartCall{"Checkout", ""},
		// A query of a workflow that completed answers with its final state.
		cartCall{"GetCart", ""},
	)
	assertAnswers(t, answers,
		`items=[tea] coupons=""`,
		`items=[tea cups] coupons=""`,
		"ok",
		`items=[tea cups] coupons="WELCOME;"`,
		"line cups x1",
		`items=[tea] coupons="WELCOME;"`,
		"ok",
		`items=[tea] coupons="WELCOME;"`,
	)
	// The first AddItem started the workflow with its request; Checkout, an
	// Empty request, sent no payload at all.
	assertAnswers(t, h.inputs(),
		"start 1", "update add_item 1", "update add_item 1", "signal apply_coupon 1 linked",
		"update remove_item 1", "signal checkout 0 linked")
	ids := h.updateIDs()
	if len(ids) != 3 || !strings.HasPrefix(ids[0], cartService+"/AddItem/") || !strings.HasPrefix(ids[2], cartService+"/RemoveItem/") {
		t.Errorf("update IDs = %v, want {service}/{operation}/{request ID}", ids)
	}
}

func TestEntityEmptyRequestsSendNoArgument(t *testing.T) {
	h := newCartHarness(t)
	// Update-with-start of an Empty request: the workflow starts without an
	// argument and the update gets none.
	assertAnswers(t, h.call(false, cartCall{"ClearWithStart", ""}, cartCall{"Clear", ""}, cartCall{"CheckoutWithStart", ""}),
		"ok", "ok", "ok")
	assertAnswers(t, h.inputs(), "start 0", "update clear 0", "update clear 0", "signal checkout 0 linked")

	// Signal-with-start of an Empty request: the same, through the workflow
	// service directly.
	h.mu.Lock()
	h.cartID += "-2"
	h.mu.Unlock()
	assertAnswers(t, h.call(false, cartCall{"CheckoutWithStart", ""}, cartCall{"GetCart", ""}),
		"ok", `items=[] coupons=""`)
	assertAnswers(t, h.inputs(), "start 0", "signal checkout 0 linked")
}

func TestEntitySignalWithStartStartsTheWorkflow(t *testing.T) {
	h := newCartHarness(t)
	answers := h.call(false,
		cartCall{"ApplyCoupon", "SPRING"},
		cartCall{"ApplyCoupon", "SUMMER"},
		cartCall{"GetCart", ""},
	)
	assertAnswers(t, answers, "ok", "ok", `items=[] coupons="SPRING;SUMMER;"`)
	assertAnswers(t, h.inputs(), "start 1", "signal apply_coupon 1 linked", "signal apply_coupon 1 linked")
}

func TestEntityConcurrentFirstUpdatesStartOneWorkflow(t *testing.T) {
	h := newCartHarness(t)
	const callers = 8
	calls := make([]cartCall, callers)
	for i := range calls {
		calls[i] = cartCall{"AddItem", fmt.Sprintf("item%d", i)}
	}
	answers := h.call(true, calls...)
	sizes := map[int]bool{}
	for _, answer := range answers {
		if !strings.HasPrefix(answer, "items=[") {
			t.Fatalf("answers = %v, want carts", answers)
		}
		sizes[len(strings.Fields(answer))-1] = true
	}
	// The workflow runs the updates one after the other: each caller sees the
	// cart just after its own item was added, and no item is lost.
	if len(sizes) != callers {
		t.Errorf("cart sizes seen = %v, want 1 to %d once each (answers %v)", sizes, callers, answers)
	}
	inputs := h.inputs()
	if inputs[0] != "start 1" || len(inputs) != 1+callers {
		t.Errorf("history of the cart = %v, want one start and %d updates", inputs, callers)
	}
}

func TestEntityRetriedStartAppliesTheUpdateOnce(t *testing.T) {
	h := newCartHarness(t)
	h.mu.Lock()
	h.loseFirstAnswer = true
	h.mu.Unlock()
	answers := h.call(false, cartCall{"AddItem", "tea"}, cartCall{"GetCart", ""})
	assertAnswers(t, answers, `items=[tea] coupons=""`, `items=[tea] coupons=""`)
	h.mu.Lock()
	attempts := h.attempts
	h.mu.Unlock()
	if len(attempts) != 2 || attempts[0] != attempts[1] {
		t.Errorf("AddItem attempts (request IDs) = %v, want two with the same ID", attempts)
	}
	assertAnswers(t, h.inputs(), "start 1", "update add_item 1")
}

func TestEntityMissingWorkflowIsANonRetryableNotFound(t *testing.T) {
	h := newCartHarness(t)
	answers := h.call(false,
		cartCall{"RemoveItem", "tea"},
		cartCall{"Clear", ""},
		cartCall{"Checkout", ""},
		cartCall{"GetCart", ""},
	)
	prefix := "HandlerError NOT_FOUND retryable=false: no running workflow with ID '" + h.cartID + "': "
	for _, answer := range answers {
		if !strings.HasPrefix(answer, prefix) || len(answer) == len(prefix) {
			t.Errorf("answer %q, want %q and the server's message", answer, prefix)
		}
	}
}

func TestEntityClosedWorkflowRefusesUpdatesAndSignalsAndAnswersQueries(t *testing.T) {
	h := newCartHarness(t)
	assertAnswers(t, h.call(false, cartCall{"AddItem", "tea"}, cartCall{"Checkout", ""}),
		`items=[tea] coupons=""`, "ok")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.client.GetWorkflow(ctx, h.cartID, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	answers := h.call(false,
		cartCall{"RemoveItem", "tea"},
		cartCall{"Checkout", ""},
		cartCall{"GetCart", ""},
		// Update-with-start on a closed workflow starts a new run (Temporal's
		// default ID reuse policy allows it): a new, empty cart.
		cartCall{"AddItem", "coffee"},
	)
	prefix := "HandlerError NOT_FOUND retryable=false: no running workflow with ID '" + h.cartID + "': "
	for _, answer := range answers[:2] {
		if !strings.HasPrefix(answer, prefix) {
			t.Errorf("answer %q, want %q...", answer, prefix)
		}
	}
	assertAnswers(t, answers[2:], `items=[tea] coupons=""`, `items=[coffee] coupons=""`)
}

func TestEntityRejectedOrFailedUpdateFailsTheOperation(t *testing.T) {
	h := newCartHarness(t)
	answers := h.call(false,
		cartCall{"AddItem", "tea"},
		// Refused by the update's validator: nothing changed.
		cartCall{"AddItem", "bad-mug"},
		// Failed by the update handler.
		cartCall{"RemoveItem", "cake"},
		cartCall{"GetCart", ""},
	)
	workflow := "workflow '" + h.cartID + "'"
	assertAnswers(t, answers,
		`items=[tea] coupons=""`,
		"ApplicationError OperationError non-retryable=true: update 'add_item' of "+workflow+" failed: item bad-mug is refused",
		"ApplicationError OperationError non-retryable=true: update 'remove_item' of "+workflow+" failed: cart holds no item cake",
		`items=[tea] coupons=""`,
	)
}

func TestEntityUndefinedUpdateOrQueryFailsTheOperation(t *testing.T) {
	h := newCartHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := h.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: h.cartID, TaskQueue: h.queue}, "BareCart")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = h.client.TerminateWorkflow(context.Background(), run.GetID(), run.GetRunID(), "test done")
	})
	answers := h.call(false, cartCall{"RemoveItem", "tea"}, cartCall{"GetCart", ""})
	workflow := "workflow '" + h.cartID + "'"
	for i, want := range []string{
		"ApplicationError OperationError non-retryable=true: update 'remove_item' of " + workflow + " failed: ",
		"ApplicationError OperationError non-retryable=true: query 'get' of " + workflow + " failed: ",
	} {
		if !strings.HasPrefix(answers[i], want) {
			t.Errorf("answer %q, want %q and the workflow's message", answers[i], want)
		}
	}
	if !strings.Contains(answers[0], "remove_item") || !strings.Contains(answers[1], "get") {
		t.Errorf("answers %v do not name what the workflow lacks", answers)
	}
}
