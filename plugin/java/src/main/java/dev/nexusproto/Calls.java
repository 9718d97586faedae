package dev.nexusproto;

import build.buf.protovalidate.exceptions.ValidationException;
import com.google.protobuf.Message;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.NexusOperationOptions;
import io.temporal.workflow.NexusServiceOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the generated callers of workflow code share: their options and request checks. */
public final class Calls {
  /**
   * The type of the {@link ApplicationFailure} a caller gets instead of sending a request that
   * breaks its rules; the same as the Python and Go runtimes'.
   */
  public static final String INVALID_REQUEST = "InvalidRequest";

  private Calls() {}

  /**
   * {@code options} with the endpoint defaulting to {@code defaultEndpoint} (empty: the contract
   * names none).
   *
   * @throws IllegalArgumentException when no endpoint results
   */
  public static NexusServiceOptions withEndpoint(
      NexusServiceOptions options, String defaultEndpoint) {
    String endpoint = options.getEndpoint();
    if (endpoint != null && !endpoint.isEmpty()) {
      return options;
    }
    if (defaultEndpoint.isEmpty()) {
      throw new IllegalArgumentException(
          "the contract names no default endpoint: set one in the options");
    }
    return NexusServiceOptions.newBuilder(options).setEndpoint(defaultEndpoint).build();
  }

  /**
   * The options of a service stub that calls {@code operation}: the operation's schedule-to-close
   * timeout from {@code timeouts} (wire name to timeout), then {@code options}' options for all
   * operations, then its options for this one, each overriding what the one before set.
   *
   * <p>The result carries no per-operation options: the Temporal Java SDK (1.34) fails to create
   * a stub whose options have them unless the worker set some for the service too, so the
   * generated callers create one stub per call with its operation's options folded in.
   */
  public static NexusServiceOptions forOperation(
      NexusServiceOptions options, String operation, Map<String, Duration> timeouts) {
    NexusOperationOptions.Builder merged = NexusOperationOptions.newBuilder();
    Duration timeout = timeouts.get(operation);
    if (timeout != null) {
      merged.setScheduleToCloseTimeout(timeout);
    }
    merged.mergeNexusOperationOptions(options.getOperationOptions());
    Map<String, NexusOperationOptions> perOperation = options.getOperationMethodOptions();
    if (perOperation != null) {
      merged.mergeNexusOperationOptions(perOperation.get(operation));
    }
    return NexusServiceOptions.newBuilder(options)
        .setOperationOptions(merged.build())
        .setOperationMethodOptions(Map.of())
        .build();
  }

  /**
   * Fails the calling workflow code, before anything is sent, when {@code request} breaks its
   * rules: a non-retryable {@link ApplicationFailure} of type {@link #INVALID_REQUEST} reading
   * {@code invalid request to <service>/<operation>: <summary>}. Returned from a workflow, it fails
   * the workflow rather than its task, which would be retried with the same request forever.
   */
  public static void checkRequest(String service, String operation, Message request) {
    List<String> found;
    try {
      found = Validation.violations(request);
    } catch (ValidationException e) {
      // A bug in the contract: fail the workflow task, retried once a fix is deployed.
      throw new IllegalStateException(
          "the buf.validate rules of " + request.getDescriptorForType().getFullName()
              + " cannot be evaluated: " + e.getMessage(),
          e);
    }
    if (!found.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "invalid request to " + service + "/" + operation + ": "
              + Validation.summary(request, found),
          INVALID_REQUEST);
    }
  }
}
