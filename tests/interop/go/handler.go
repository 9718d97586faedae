package main

// The handler side: the payments contract served by Go with its generated code
// (payments_nexus.pb.go). The program writes only the operations' bodies, in
// a type embedding UnimplementedPaymentServiceNexusHandler; the service and
// operation names, the checking of requests and responses against their
// buf.validate rules, and the refund operation (the generated RefundPayment
// starts RefundPaymentWorkflow under the contract's workflow ID and policies)
// come from NewPaymentServiceNexusService and RegisterRefundPaymentWorkflow.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// workerSpec is one --worker flag: task-queue=TQ,converter=C.
type workerSpec struct {
	TaskQueue string `json:"task_queue"`
	Converter string `json:"converter"`
}

func parseWorkerSpec(text string) (workerSpec, error) {
	spec := workerSpec{Converter: "default"}
	for _, part := range strings.Split(text, ",") {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return spec, fmt.Errorf("--worker %q: want key=value pairs", text)
		}
		switch key {
		case "task-queue":
			spec.TaskQueue = value
		case "converter":
			spec.Converter = value
		default:
			return spec, fmt.Errorf("--worker %q: unknown key %q", text, key)
		}
	}
	if spec.TaskQueue == "" {
		return spec, fmt.Errorf("--worker %q: task-queue is required", text)
	}
	return spec, nil
}

type workerFlags []workerSpec

func (w *workerFlags) String() string { return fmt.Sprint(*w) }
func (w *workerFlags) Set(text string) error {
	spec, err := parseWorkerSpec(text)
	if err == nil {
		*w = append(*w, spec)
	}
	return err
}

// served logs, as one JSON line on stdout each, every call an operation's body
// gets (after the generated code checked the request) and every start of a
// refund workflow.
type served struct {
	mu sync.Mutex
}

// ServedCall is one line of `interop serve` output after the ready line:
// either a call of an operation's body (Service, Operation) or the start of a
// workflow (Workflow, WorkflowID).
type ServedCall struct {
	TaskQueue string `json:"task_queue"`
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Workflow  string `json:"workflow,omitempty"`
	// WorkflowID of a workflow line.
	WorkflowID string `json:"workflow_id,omitempty"`
	// The request's Go type; empty for operations whose generated method takes
	// none (google.protobuf.Empty).
	InputGoType string `json:"input_go_type"`
	Input       any    `json:"input"` // proto JSON; null without a request
}

func (s *served) log(line ServedCall, input any) {
	if input != nil {
		line.InputGoType = fmt.Sprintf("%T", input)
	}
	line.Input = protoJSON(input)
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = printJSON(line)
}

// call logs a call of an operation's body, under the names that arrived.
func (s *served) call(ctx context.Context, spec workerSpec, input any) {
	info := nexus.ExtractHandlerInfo(ctx)
	s.log(ServedCall{TaskQueue: spec.TaskQueue, Service: info.Service, Operation: info.Operation}, input)
}

// payments is the Go team's implementation of the contract's handler. It
// defines no RefundPayment: the generated one starts the workflow.
type payments struct {
	UnimplementedPaymentServiceNexusHandler
	spec workerSpec
	log  *served
}

var _ PaymentServiceNexusHandler = (*payments)(nil)

func (p *payments) ProcessPayment(ctx context.Context, request *ProcessPaymentRequest, _ nexus.StartOperationOptions) (*ProcessPaymentResponse, error) {
	p.log.call(ctx, p.spec, request)
	return settledPayment(fmt.Sprintf("go-%s-%s", contractVersion, paymentReference(request))), nil
}

func (p *payments) CheckHealth(ctx context.Context, _ nexus.StartOperationOptions) (*HealthStatus, error) {
	p.log.call(ctx, p.spec, nil)
	return &HealthStatus{AcceptingCharges: true}, nil
}

func (p *payments) ResetLedger(ctx context.Context, _ nexus.StartOperationOptions) error {
	p.log.call(ctx, p.spec, nil)
	return nil
}

// refundTime is how long a refund takes: long enough that a second start of
// the same refund while it runs joins it (the contract's USE_EXISTING).
const refundTime = time.Second

// refundPaymentWorkflow is the workflow the generated RefundPayment starts, for
// the worker of spec. It logs its start (not its replays).
func refundPaymentWorkflow(spec workerSpec, log *served) func(workflow.Context, *RefundPaymentRequest) (*RefundPaymentResponse, error) {
	return func(ctx workflow.Context, request *RefundPaymentRequest) (*RefundPaymentResponse, error) {
		if !workflow.IsReplaying(ctx) {
			info := workflow.GetInfo(ctx)
			log.log(ServedCall{
				TaskQueue:  spec.TaskQueue,
				Workflow:   info.WorkflowType.Name,
				WorkflowID: info.WorkflowExecution.ID,
			}, request)
		}
		if err := workflow.Sleep(ctx, refundTime); err != nil {
			return nil, err
		}
		return &RefundPaymentResponse{
			RefundId: "go-refund-of-" + request.GetTransactionId(),
			Status:   paymentRefunded,
		}, nil
	}
}

func runServe(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	address := flags.String("address", "127.0.0.1:7233", "frontend host:port")
	namespace := flags.String("namespace", "default", "namespace of the handler workers")
	var specs workerFlags
	flags.Var(&specs, "worker", "task-queue=TQ,converter=default|lenient|binary (repeatable)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if len(specs) == 0 {
		return fmt.Errorf("at least one --worker is required")
	}
	log := &served{}
	var clients []client.Client
	var workers []worker.Worker
	defer func() { // workers first: they use their client while stopping
		for _, w := range workers {
			w.Stop()
		}
		for _, c := range clients {
			c.Close()
		}
	}()
	for _, spec := range specs {
		c, err := dial(*address, *namespace, spec.Converter)
		if err != nil {
			return err
		}
		clients = append(clients, c)
		service, err := newPaymentServiceNexusService(&payments{spec: spec, log: log})
		if err != nil {
			return err
		}
		w := worker.New(c, spec.TaskQueue, worker.Options{})
		w.RegisterNexusService(service)
		registerRefundPaymentWorkflow(w, refundPaymentWorkflow(spec, log))
		if err := w.Start(); err != nil {
			return err
		}
		workers = append(workers, w)
	}
	log.mu.Lock()
	err := printJSON(map[string]any{"ready": true, "contract": contractVersion, "workers": specs})
	log.mu.Unlock()
	if err != nil {
		return err
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	return nil
}
