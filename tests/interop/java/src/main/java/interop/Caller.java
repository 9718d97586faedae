package interop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.nexusrpc.handler.HandlerException;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.workflow.v1.PendingNexusOperationInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.NexusOperationOptions;
import io.temporal.workflow.NexusServiceOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import payments.v1.Payments.Money;
import payments.v1.Payments.RefundPaymentRequest;
import payments.v1.PaymentServiceNexus;

/**
 * The caller side: a workflow that calls the payments contract's operations
 * through a Nexus endpoint, one scenario per run: with the generated caller
 * ({@link PaymentServiceNexus.Caller}: the contract's timeouts, requests checked
 * before sending), and, for the raw-SDK checks, with service stubs of the
 * generated definition or of {@link PaymentServiceEmptyMessage}. The raw payloads
 * are read from the workflow's history by the test, not here.
 */
public final class Caller {
  static final String CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d";
  /**
   * Schedule-to-close timeout of the raw-SDK stubs' calls (the generated caller's
   * are the contract's). A call whose handler fails with a retryable error would
   * retry until then; the runner stops at the first failed attempt instead
   * (Outcome.attempt_failure).
   */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  static final Duration WORKFLOW_TIMEOUT = Duration.ofMinutes(1);

  private Caller() {}

  /** What one scenario saw; the caller workflow's result (Jackson, json/plain). */
  public static final class Outcome {
    public String scenario;
    public String workflow_id;
    public String operation;
    public String input_java_type;
    public String result_java_type;
    /** The result as proto JSON text, when it is a message; null otherwise. */
    public String result;
    /** Set when the call failed: the exception chain, outermost first. */
    public List<ErrorLevel> error;
    /** Set when an attempt failed with a retryable error (the runner's watch). */
    public List<ErrorLevel> attempt_failure;
  }

  /** One exception (or server failure) of a chain. */
  public static final class ErrorLevel {
    public String kind;
    public String message;
    public String handler_error_type;
    public String application_type;
    public boolean non_retryable;
  }

  @WorkflowInterface
  public interface CallerWorkflow {
    @WorkflowMethod(name = "JavaCallerWorkflow")
    Outcome run(String endpoint, String scenario);
  }

  public static final class CallerWorkflowImpl implements CallerWorkflow {
    @Override
    public Outcome run(String endpoint, String scenario) {
      NexusServiceOptions options =
          NexusServiceOptions.newBuilder()
              .setEndpoint(endpoint)
              .setOperationOptions(
                  NexusOperationOptions.newBuilder().setScheduleToCloseTimeout(CALL_TIMEOUT).build())
              .build();
      // The generated caller, with the contract's defaults but for the endpoint.
      PaymentServiceNexus.Caller payments = PaymentServiceNexus.newCaller(endpoint);
      // The generated definition with the SDK's own stub: nothing checked before sending.
      PaymentServiceNexus.PaymentService unchecked =
          Workflow.newNexusServiceStub(PaymentServiceNexus.PaymentService.class, options);
      PaymentServiceEmptyMessage paymentsMessage =
          Workflow.newNexusServiceStub(PaymentServiceEmptyMessage.class, options);
      String workflowId = Workflow.getInfo().getWorkflowId();
      Outcome outcome;
      switch (scenario) {
        case "process_payment": // a sync operation with a valid request
          {
            var request = Contract.newPaymentRequest(CUSTOMER_ID, "order-java-1", money("EUR", 1999));
            outcome = call("ProcessPayment", request, () -> payments.processPayment(request));
            break;
          }
        case "refund_payment": // a workflow-run operation; unique transaction per run
          {
            var request =
                RefundPaymentRequest.newBuilder()
                    .setTransactionId("tx-" + workflowId)
                    .setAmount(money("EUR", 500))
                    .setReason("damaged in transit")
                    .build();
            outcome = call("refund-payment", request, () -> payments.refundPayment(request));
            break;
          }
        case "check_health_void": // Empty as no value: no parameter, no payload
          outcome = call("CheckHealth", null, payments::checkHealth);
          break;
        case "check_health_message": // Empty as the message
          outcome =
              call(
                  "CheckHealth",
                  Empty.getDefaultInstance(),
                  () -> paymentsMessage.checkHealth(Empty.getDefaultInstance()));
          break;
        case "reset_ledger_void": // no parameter, void result
          outcome =
              call(
                  "ResetLedger",
                  null,
                  () -> {
                    payments.resetLedger();
                    return null;
                  });
          break;
        case "reset_ledger_message":
          outcome =
              call(
                  "ResetLedger",
                  Empty.getDefaultInstance(),
                  () -> paymentsMessage.resetLedger(Empty.getDefaultInstance()));
          break;
        case "invalid_payment":
          {
            // Breaks three rules of the contract (customer_id no UUID, currency not
            // ^[A-Z]{3}$, amount_minor not > 0): the generated caller sends nothing.
            var request = Contract.newPaymentRequest("not-a-uuid", "order-java-bad", money("eur", 0));
            outcome = call("ProcessPayment", request, () -> payments.processPayment(request));
            break;
          }
        case "invalid_payment_unchecked":
          {
            // The same request through the SDK's stub: the handler must refuse it.
            var request = Contract.newPaymentRequest("not-a-uuid", "order-java-bad", money("eur", 0));
            outcome = call("ProcessPayment", request, () -> unchecked.processPayment(request));
            break;
          }
        default:
          throw ApplicationFailure.newNonRetryableFailure(
              "unknown scenario " + scenario, "UnknownScenario");
      }
      outcome.scenario = scenario;
      outcome.workflow_id = workflowId;
      return outcome;
    }
  }

  static Money money(String currency, long amountMinor) {
    return Money.newBuilder().setCurrency(currency).setAmountMinor(amountMinor).build();
  }

  static Outcome call(String operation, Message input, Supplier<Object> call) {
    Outcome outcome = new Outcome();
    outcome.operation = operation;
    outcome.input_java_type = input == null ? "none" : input.getClass().getName();
    try {
      Object value = call.get();
      outcome.result_java_type = value == null ? "null" : value.getClass().getName();
      if (value instanceof Message) {
        outcome.result = JsonFormat.printer().print((Message) value);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      outcome.error = describe(e);
    }
    return outcome;
  }

  static List<ErrorLevel> describe(Throwable error) {
    List<ErrorLevel> levels = new ArrayList<>();
    for (Throwable e = error; e != null; e = e.getCause()) {
      ErrorLevel level = new ErrorLevel();
      level.kind = e.getClass().getName();
      level.message = e instanceof TemporalFailure ? ((TemporalFailure) e).getOriginalMessage() : e.getMessage();
      if (e instanceof HandlerException) {
        HandlerException handlerError = (HandlerException) e;
        level.handler_error_type = handlerError.getRawErrorType();
        level.non_retryable = !handlerError.isRetryable();
      }
      if (e instanceof ApplicationFailure) {
        ApplicationFailure appFailure = (ApplicationFailure) e;
        level.application_type = appFailure.getType();
        level.non_retryable = appFailure.isNonRetryable();
      }
      levels.add(level);
      if (e.getCause() == e) {
        break;
      }
    }
    return levels;
  }

  static List<ErrorLevel> describe(Failure failure) {
    List<ErrorLevel> levels = new ArrayList<>();
    for (Failure f = failure; f != null; f = f.hasCause() ? f.getCause() : null) {
      ErrorLevel level = new ErrorLevel();
      level.kind = f.getFailureInfoCase().name();
      level.message = f.getMessage();
      if (f.hasNexusHandlerFailureInfo()) {
        level.handler_error_type = f.getNexusHandlerFailureInfo().getType();
      }
      if (f.hasApplicationFailureInfo()) {
        level.application_type = f.getApplicationFailureInfo().getType();
        level.non_retryable = f.getApplicationFailureInfo().getNonRetryable();
      }
      levels.add(level);
    }
    return levels;
  }

  static int run(String[] args) throws Exception {
    String address = "127.0.0.1:7233";
    String namespace = "default";
    String endpoint = "";
    String converter = "default";
    List<String> scenarios = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--address":
          address = Main.value(args, i++);
          break;
        case "--namespace":
          namespace = Main.value(args, i++);
          break;
        case "--endpoint":
          endpoint = Main.value(args, i++);
          break;
        case "--converter":
          converter = Main.value(args, i++);
          break;
        default:
          scenarios.add(args[i]);
      }
    }
    if (endpoint.isEmpty() || scenarios.isEmpty()) {
      throw new IllegalArgumentException("--endpoint and at least one scenario are required");
    }
    WorkflowServiceStubs service = Main.connect(address);
    WorkflowClient client = Main.client(service, namespace, converter);
    String taskQueue = "java-caller-" + UUID.randomUUID().toString().substring(0, 12);
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(taskQueue);
    worker.registerWorkflowImplementationTypes(CallerWorkflowImpl.class);
    factory.start();
    try {
      ObjectNode report = Main.JSON.createObjectNode();
      report.put("contract", Contract.version());
      report.put("converter", converter);
      report.put("namespace", namespace);
      report.put("endpoint", endpoint);
      report.put("task_queue", taskQueue);
      ArrayNode outcomes = report.putArray("outcomes");
      for (String scenario : scenarios) {
        Outcome outcome = runScenario(client, taskQueue, endpoint, scenario);
        ObjectNode node = Main.JSON.valueToTree(outcome);
        // The result as a JSON value, not text.
        node.set("result", outcome.result == null ? Main.JSON.nullNode() : Main.JSON.readTree(outcome.result));
        outcomes.add(node);
      }
      Main.print(report);
    } finally {
      factory.shutdownNow();
      factory.awaitTermination(10, TimeUnit.SECONDS);
      service.shutdownNow();
    }
    return 0;
  }

  /**
   * Runs the caller workflow of one scenario to its end. While it runs, it
   * watches the workflow's pending Nexus operation: an attempt that failed (a
   * retryable error, which the server would retry until the call's timeout) is
   * reported as the outcome, and the workflow is terminated.
   */
  static Outcome runScenario(WorkflowClient client, String taskQueue, String endpoint, String scenario)
      throws Exception {
    String id = "java-caller-" + scenario.replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 12);
    CallerWorkflow workflow =
        client.newWorkflowStub(
            CallerWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(taskQueue)
                .setWorkflowExecutionTimeout(WORKFLOW_TIMEOUT)
                .build());
    WorkflowClient.start(workflow::run, endpoint, scenario);
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    CompletableFuture<Outcome> result = stub.getResultAsync(Outcome.class);
    while (true) {
      try {
        return result.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still running: look at its pending Nexus operations
      }
      var description =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                      .build());
      for (PendingNexusOperationInfo operation : description.getPendingNexusOperationsList()) {
        if (operation.hasLastAttemptFailure()) {
          stub.terminate("interop: a Nexus operation attempt failed");
          Outcome outcome = new Outcome();
          outcome.scenario = scenario;
          outcome.workflow_id = id;
          outcome.operation = operation.getOperation();
          outcome.attempt_failure = describe(operation.getLastAttemptFailure());
          return outcome;
        }
      }
    }
  }
}
