package dev.nexusproto;

import build.buf.protovalidate.exceptions.ValidationException;
import com.google.protobuf.Message;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.NexusOperationOptions;
import io.temporal.workflow.NexusServiceOptions;
import java.time.Duration;
import java.util.HashMap;
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
   * The options of a service stub: {@code options} with the contract's defaults where they set
   * nothing. The endpoint defaults to {@code defaultEndpoint} (empty: none); each operation of
   * {@code timeouts} (wire name to schedule-to-close timeout) gets its timeout unless {@code
   * options} set one, for all operations or for that one.
   *
   * @throws IllegalArgumentException when no endpoint results
   */
  public static NexusServiceOptions serviceOptions(
      NexusServiceOptions options, String defaultEndpoint, Map<String, Duration> timeouts) {
    NexusServiceOptions.Builder builder = NexusServiceOptions.newBuilder(options);
    String endpoint = options.getEndpoint();
    if (endpoint == null || endpoint.isEmpty()) {
      if (defaultEndpoint.isEmpty()) {
        throw new IllegalArgumentException(
            "the contract names no default endpoint: set one in the options");
      }
      builder.setEndpoint(defaultEndpoint);
    }
    NexusOperationOptions all = options.getOperationOptions();
    Map<String, NexusOperationOptions> given =
        options.getOperationMethodOptions() == null
            ? Map.of()
            : options.getOperationMethodOptions();
    Map<String, NexusOperationOptions> perOperation = new HashMap<>(given);
    for (Map.Entry<String, Duration> timeout : timeouts.entrySet()) {
      NexusOperationOptions own = given.get(timeout.getKey());
      boolean set =
          (all != null && all.getScheduleToCloseTimeout() != null)
              || (own != null && own.getScheduleToCloseTimeout() != null);
      if (!set) {
        perOperation.put(
            timeout.getKey(),
            NexusOperationOptions.newBuilder(own == null ? NexusOperationOptions.getDefaultInstance() : own)
                .setScheduleToCloseTimeout(timeout.getValue())
                .build());
      }
    }
    return builder.setOperationMethodOptions(perOperation).build();
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
