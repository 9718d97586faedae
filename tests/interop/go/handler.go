package main

// The handler side: the payments contract served by Go, as a Go team would with
// the Temporal Go SDK: sync operations (nexus.NewSyncOperation) and the
// workflow-run refund (temporalnexus.NewWorkflowRunOperation), under the
// contract's service and operation names.

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
	"go.temporal.io/sdk/temporalnexus"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/emptypb"
)

// workerSpec is one --worker flag: task-queue=TQ,empty=novalue|message,converter=C.
type workerSpec struct {
	TaskQueue string `json:"task_queue"`
	Empty     string `json:"empty"`
	Converter string `json:"converter"`
}

func parseWorkerSpec(text string) (workerSpec, error) {
	spec := workerSpec{Empty: "novalue", Converter: "default"}
	for _, part := range strings.Split(text, ",") {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return spec, fmt.Errorf("--worker %q: want key=value pairs", text)
		}
		switch key {
		case "task-queue":
			spec.TaskQueue = value
		case "empty":
			if value != "novalue" && value != "message" {
				return spec, fmt.Errorf("--worker %q: empty is novalue or message", text)
			}
			spec.Empty = value
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

// served logs each call a handler serves as one JSON line on stdout.
type served struct {
	mu sync.Mutex
}

// ServedCall is one line of `interop serve` output after the ready line.
type ServedCall struct {
	TaskQueue   string `json:"task_queue"`
	Operation   string `json:"operation"`
	InputGoType string `json:"input_go_type"`
	Input       any    `json:"input"` // proto JSON, null for nexus.NoValue
}

func (s *served) log(spec workerSpec, operation string, input any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = printJSON(ServedCall{
		TaskQueue:   spec.TaskQueue,
		Operation:   operation,
		InputGoType: fmt.Sprintf("%T", input),
		Input:       protoJSON(input),
	})
}

// paymentService is the contract's service for one worker; spec.Empty decides
// how CheckHealth and ResetLedger type google.protobuf.Empty.
func paymentService(spec workerSpec, log *served) (*nexus.Service, error) {
	service := nexus.NewService(serviceName)
	operations := []nexus.RegisterableOperation{
		nexus.NewSyncOperation("ProcessPayment",
			func(ctx context.Context, request *ProcessPaymentRequest, _ nexus.StartOperationOptions) (*ProcessPaymentResponse, error) {
				log.log(spec, "ProcessPayment", request)
				return settledPayment(fmt.Sprintf("go-%s-%s", contractVersion, paymentReference(request))), nil
			}),
		temporalnexus.NewWorkflowRunOperation("refund-payment", RefundPaymentWorkflow,
			func(ctx context.Context, request *RefundPaymentRequest, _ nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
				log.log(spec, "refund-payment", request)
				return client.StartWorkflowOptions{ID: "go-refund-" + request.GetTransactionId()}, nil
			}),
	}
	if spec.Empty == "novalue" {
		operations = append(operations,
			nexus.NewSyncOperation("CheckHealth",
				func(ctx context.Context, input nexus.NoValue, _ nexus.StartOperationOptions) (*HealthStatus, error) {
					log.log(spec, "CheckHealth", input)
					return &HealthStatus{AcceptingCharges: true}, nil
				}),
			nexus.NewSyncOperation("ResetLedger",
				func(ctx context.Context, input nexus.NoValue, _ nexus.StartOperationOptions) (nexus.NoValue, error) {
					log.log(spec, "ResetLedger", input)
					return nil, nil
				}),
		)
	} else {
		operations = append(operations,
			nexus.NewSyncOperation("CheckHealth",
				func(ctx context.Context, input *emptypb.Empty, _ nexus.StartOperationOptions) (*HealthStatus, error) {
					log.log(spec, "CheckHealth", input)
					return &HealthStatus{AcceptingCharges: true}, nil
				}),
			nexus.NewSyncOperation("ResetLedger",
				func(ctx context.Context, input *emptypb.Empty, _ nexus.StartOperationOptions) (*emptypb.Empty, error) {
					log.log(spec, "ResetLedger", input)
					return &emptypb.Empty{}, nil
				}),
		)
	}
	if err := service.Register(operations...); err != nil {
		return nil, err
	}
	return service, nil
}

// RefundPaymentWorkflow is the workflow the refund operation starts, under the
// contract's workflow_type.
func RefundPaymentWorkflow(ctx workflow.Context, request *RefundPaymentRequest) (*RefundPaymentResponse, error) {
	if err := workflow.Sleep(ctx, 100*time.Millisecond); err != nil { // answered later, not at once
		return nil, err
	}
	return &RefundPaymentResponse{
		RefundId: "go-refund-of-" + request.GetTransactionId(),
		Status:   paymentRefunded,
	}, nil
}

func runServe(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	address := flags.String("address", "127.0.0.1:7233", "frontend host:port")
	namespace := flags.String("namespace", "default", "namespace of the handler workers")
	var specs workerFlags
	flags.Var(&specs, "worker", "task-queue=TQ,empty=novalue|message,converter=default|lenient|binary (repeatable)")
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
		service, err := paymentService(spec, log)
		if err != nil {
			return err
		}
		w := worker.New(c, spec.TaskQueue, worker.Options{})
		w.RegisterNexusService(service)
		w.RegisterWorkflowWithOptions(RefundPaymentWorkflow, workflow.RegisterOptions{Name: "RefundPaymentWorkflow"})
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
