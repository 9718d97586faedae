package interop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Empty;
import io.nexusrpc.handler.OperationContext;
import io.nexusrpc.handler.OperationHandler;
import io.nexusrpc.handler.OperationImpl;
import io.nexusrpc.handler.OperationStartDetails;
import io.nexusrpc.handler.ServiceImpl;
import io.temporal.client.WorkflowOptions;
import io.temporal.nexus.Nexus;
import io.temporal.nexus.WorkflowHandle;
import io.temporal.nexus.WorkflowRunOperation;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import payments.v1.Payments.HealthStatus;
import payments.v1.Payments.PaymentStatus;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;
import payments.v1.Payments.RefundPaymentRequest;
import payments.v1.Payments.RefundPaymentResponse;
import orders.v1.OrderServiceNexus;
import payments.v1.PaymentServiceNexus;

/**
 * The handler side: the payments contract served by Java. The "void" worker is
 * what a Java team writes with the generated code: a {@link
 * PaymentServiceNexus.Handler} served by the generated {@code @ServiceImpl}
 * class, which checks requests and responses against their rules and starts the
 * refund workflow as the contract binds it. The "message" worker is the raw-SDK
 * check that stays: the service typed with com.google.protobuf.Empty by hand
 * (OperationHandler.sync, WorkflowRunOperation.fromWorkflowMethod).
 */
public final class Handler {
  private Handler() {}

  /** One --worker flag: task-queue=TQ,empty=void|message,converter=C. */
  static final class WorkerSpec {
    String taskQueue = "";
    String empty = "void";
    String converter = "default";

    static WorkerSpec parse(String text) {
      WorkerSpec spec = new WorkerSpec();
      for (String part : text.split(",")) {
        String[] pair = part.split("=", 2);
        if (pair.length != 2) {
          throw new IllegalArgumentException("--worker " + text + ": want key=value pairs");
        }
        switch (pair[0]) {
          case "task-queue":
            spec.taskQueue = pair[1];
            break;
          case "empty":
            if (!pair[1].equals("void") && !pair[1].equals("message")) {
              throw new IllegalArgumentException("--worker " + text + ": empty is void or message");
            }
            spec.empty = pair[1];
            break;
          case "converter":
            spec.converter = pair[1];
            break;
          default:
            throw new IllegalArgumentException("--worker " + text + ": unknown key " + pair[0]);
        }
      }
      if (spec.taskQueue.isEmpty()) {
        throw new IllegalArgumentException("--worker " + text + ": task-queue is required");
      }
      return spec;
    }
  }

  /** Prints one JSON line per call served. */
  static void served(WorkerSpec spec, String operation, Object input) {
    ObjectNode line = Main.JSON.createObjectNode();
    line.put("task_queue", spec.taskQueue);
    line.put("operation", operation);
    line.put("input_java_type", input == null ? "null" : input.getClass().getName());
    line.set("input", Main.protoJson(input));
    Main.print(line);
  }

  /** The workflow the refund operation starts: the generated interface, implemented. */
  public static final class RefundPaymentWorkflowImpl
      implements PaymentServiceNexus.RefundPaymentWorkflow {
    @Override
    public RefundPaymentResponse run(RefundPaymentRequest request) {
      Workflow.sleep(Duration.ofMillis(100)); // answered later, not at once
      return RefundPaymentResponse.newBuilder()
          .setRefundId("java-refund-of-" + request.getTransactionId())
          .setStatus(PaymentStatus.PAYMENT_STATUS_REFUNDED)
          .build();
    }
  }

  /** An order ID for which the handler answers an invalid response (no transaction ID). */
  static final String INVALID_RESPONSE_ORDER = "order-invalid-response";

  static ProcessPaymentResponse settle(WorkerSpec spec, ProcessPaymentRequest request) {
    served(spec, "ProcessPayment", request);
    if (Contract.paymentReference(request).equals(INVALID_RESPONSE_ORDER)) {
      return Contract.settledPayment("");
    }
    return Contract.settledPayment(
        "java-" + Contract.version() + "-" + Contract.paymentReference(request));
  }

  /**
   * The payments team's code with the generated handler interface: the sync
   * operations, and the refund's start, overridden only to log the call before
   * the generated start (the contract's workflow type, ID template and policies).
   */
  static final class Payments implements PaymentServiceNexus.Handler {
    private final WorkerSpec spec;

    Payments(WorkerSpec spec) {
      this.spec = spec;
    }

    @Override
    public ProcessPaymentResponse processPayment(
        OperationContext context, OperationStartDetails details, ProcessPaymentRequest request) {
      return settle(spec, request);
    }

    @Override
    public WorkflowHandle<RefundPaymentResponse> refundPayment(
        OperationContext context, OperationStartDetails details, RefundPaymentRequest request) {
      served(spec, "refund-payment", request);
      return PaymentServiceNexus.Handler.super.refundPayment(context, details, request);
    }

    @Override
    public HealthStatus checkHealth(OperationContext context, OperationStartDetails details) {
      served(spec, "CheckHealth", null);
      return HealthStatus.newBuilder().setAcceptingCharges(true).build();
    }

    @Override
    public void resetLedger(OperationContext context, OperationStartDetails details) {
      served(spec, "ResetLedger", null);
    }
  }

  /** The refund workflow started by hand, as the raw-SDK service starts it. */
  @io.temporal.workflow.WorkflowInterface
  public interface RawRefundWorkflow {
    @io.temporal.workflow.WorkflowMethod(name = "RefundPaymentWorkflow")
    RefundPaymentResponse refund(RefundPaymentRequest request);
  }

  static OperationHandler<ProcessPaymentRequest, ProcessPaymentResponse> processPayment(WorkerSpec spec) {
    return OperationHandler.sync((context, details, request) -> settle(spec, request));
  }

  static OperationHandler<RefundPaymentRequest, RefundPaymentResponse> refundPayment(WorkerSpec spec) {
    return WorkflowRunOperation.fromWorkflowMethod(
        (context, details, request) -> {
          served(spec, "refund-payment", request);
          return Nexus.getOperationContext()
                  .getWorkflowClient()
                  .newWorkflowStub(
                      RawRefundWorkflow.class,
                      WorkflowOptions.newBuilder()
                          .setWorkflowId("java-refund-" + request.getTransactionId())
                          .build())
              ::refund;
        });
  }

  /** Empty as the message, in and out. */
  @ServiceImpl(service = PaymentServiceEmptyMessage.class)
  public static final class PaymentServiceEmptyMessageImpl {
    private final WorkerSpec spec;

    PaymentServiceEmptyMessageImpl(WorkerSpec spec) {
      this.spec = spec;
    }

    @OperationImpl
    public OperationHandler<ProcessPaymentRequest, ProcessPaymentResponse> processPayment() {
      return Handler.processPayment(spec);
    }

    @OperationImpl
    public OperationHandler<RefundPaymentRequest, RefundPaymentResponse> refundPayment() {
      return Handler.refundPayment(spec);
    }

    @OperationImpl
    public OperationHandler<Empty, HealthStatus> checkHealth() {
      return OperationHandler.sync(
          (context, details, input) -> {
            served(spec, "CheckHealth", input);
            return HealthStatus.newBuilder().setAcceptingCharges(true).build();
          });
    }

    @OperationImpl
    public OperationHandler<Empty, Empty> resetLedger() {
      return OperationHandler.sync(
          (context, details, input) -> {
            served(spec, "ResetLedger", input);
            return Empty.getDefaultInstance();
          });
    }
  }

  static int run(String[] args) throws Exception {
    String address = "127.0.0.1:7233";
    String namespace = "default";
    List<WorkerSpec> specs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--address":
          address = Main.value(args, i++);
          break;
        case "--namespace":
          namespace = Main.value(args, i++);
          break;
        case "--worker":
          specs.add(WorkerSpec.parse(Main.value(args, i++)));
          break;
        default:
          throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("at least one --worker is required");
    }
    String ns = namespace;
    WorkflowServiceStubs service = Main.connect(address);
    // One client (and factory) per converter.
    Map<String, WorkerFactory> factories = new LinkedHashMap<>();
    for (WorkerSpec spec : specs) {
      WorkerFactory factory =
          factories.computeIfAbsent(
              spec.converter,
              converter -> WorkerFactory.newInstance(Main.client(service, ns, converter)));
      Worker worker = factory.newWorker(spec.taskQueue);
      worker.registerWorkflowImplementationTypes(RefundPaymentWorkflowImpl.class);
      if (spec.empty.equals("void")) {
        worker.registerNexusServiceImplementation(
            new PaymentServiceNexus.Implementation(new Payments(spec)),
            Carts.service(),
            // Nothing implemented: the generated defaults answer NOT_IMPLEMENTED.
            new OrderServiceNexus.Implementation(new OrderServiceNexus.Handler() {}));
        worker.registerWorkflowImplementationTypes(Carts.CartWorkflow.class);
      } else {
        worker.registerNexusServiceImplementation(new PaymentServiceEmptyMessageImpl(spec));
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (WorkerFactory factory : factories.values()) {
                    factory.shutdownNow();
                  }
                  service.shutdownNow();
                  stopped.countDown();
                }));
    for (WorkerFactory factory : factories.values()) {
      factory.start();
    }
    ObjectNode ready = Main.JSON.createObjectNode();
    ready.put("ready", true);
    ready.put("contract", Contract.version());
    ArrayNode workers = ready.putArray("workers");
    for (WorkerSpec spec : specs) {
      workers.addObject().put("task_queue", spec.taskQueue).put("empty", spec.empty).put("converter", spec.converter);
    }
    Main.print(ready);
    stopped.await();
    return 0;
  }
}
