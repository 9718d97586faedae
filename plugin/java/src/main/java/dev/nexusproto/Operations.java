package dev.nexusproto;

import build.buf.protovalidate.exceptions.ValidationException;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import io.nexusrpc.handler.HandlerException;
import io.nexusrpc.handler.HandlerException.ErrorType;
import io.nexusrpc.handler.HandlerException.RetryBehavior;
import io.nexusrpc.handler.OperationContext;
import io.nexusrpc.handler.OperationHandler;
import io.nexusrpc.handler.SynchronousOperationFunction;
import io.temporal.nexus.WorkflowHandleFactory;
import io.temporal.nexus.WorkflowRunOperation;
import java.util.List;

/**
 * The operation handlers of a generated {@code @ServiceImpl} class: a team's method, with the
 * request checked before it runs and a sync operation's response after it returned.
 *
 * <p>An invalid request is answered with a non-retryable {@code BAD_REQUEST} error reading {@code
 * invalid request to <service>/<operation>: <message>: <violations>}; an invalid response with a
 * non-retryable {@code INTERNAL} one, since retrying would give the same answer. A request that is
 * missing where the operation takes a message (a caller sent no payload) is a {@code BAD_REQUEST}
 * too. The texts are the Python runtime's.
 */
public final class Operations {
  private Operations() {}

  /**
   * A sync operation answered by {@code function}.
   *
   * @param requestType the request's message class, or {@code Void.class} when the operation takes
   *     google.protobuf.Empty (no payload)
   */
  public static <T, R> OperationHandler<T, R> sync(
      Class<T> requestType, Checks checks, SynchronousOperationFunction<T, R> function) {
    return OperationHandler.sync(
        (context, details, request) -> {
          checkRequest(context, requestType, checks, request);
          R response = function.apply(context, details, request);
          if (checks.response() && response instanceof Message) {
            checkResponse(context, (Message) response);
          }
          return response;
        });
  }

  /**
   * A workflow-run operation whose workflow {@code factory} starts; the operation's result is the
   * workflow's.
   *
   * @param requestType as for {@link #sync}
   */
  public static <T, R> OperationHandler<T, R> workflowRun(
      Class<T> requestType, Checks checks, WorkflowHandleFactory<T, R> factory) {
    return WorkflowRunOperation.fromWorkflowHandle(
        (context, details, request) -> {
          checkRequest(context, requestType, checks, request);
          return factory.apply(context, details, request);
        });
  }

  /**
   * The error of an operation the team's handler does not implement: a non-retryable {@code
   * NOT_IMPLEMENTED} naming it. Generated handler interfaces answer with it by default, so that an
   * operation added to the contract leaves existing handlers compiling.
   */
  public static HandlerException notImplemented(OperationContext context) {
    return new HandlerException(
        ErrorType.NOT_IMPLEMENTED,
        "operation " + where(context) + " is not implemented by this handler",
        null,
        RetryBehavior.NON_RETRYABLE);
  }

  private static void checkRequest(
      OperationContext context, Class<?> requestType, Checks checks, Object request) {
    if (!Message.class.isAssignableFrom(requestType)) {
      return; // google.protobuf.Empty: no payload, nothing to check
    }
    if (!requestType.isInstance(request)) {
      @SuppressWarnings("unchecked")
      Class<? extends Message> messageType = (Class<? extends Message>) requestType;
      String fullName =
          Internal.getDefaultInstance(messageType).getDescriptorForType().getFullName();
      throw new HandlerException(
          ErrorType.BAD_REQUEST,
          "request to " + where(context) + " must be a " + fullName + " message, not "
              + (request == null ? "null" : request.getClass().getName()),
          null,
          RetryBehavior.NON_RETRYABLE);
    }
    if (!checks.request()) {
      return;
    }
    Message message = (Message) request;
    List<String> found = violations(context, message);
    if (!found.isEmpty()) {
      throw new HandlerException(
          ErrorType.BAD_REQUEST,
          "invalid request to " + where(context) + ": " + Validation.summary(message, found),
          null,
          RetryBehavior.NON_RETRYABLE);
    }
  }

  private static void checkResponse(OperationContext context, Message response) {
    List<String> found = violations(context, response);
    if (!found.isEmpty()) {
      throw new HandlerException(
          ErrorType.INTERNAL,
          "handler of " + where(context) + " returned an invalid response: "
              + Validation.summary(response, found),
          null,
          RetryBehavior.NON_RETRYABLE);
    }
  }

  /** A rule that cannot be evaluated is a bug in the contract: INTERNAL, not retried. */
  private static List<String> violations(OperationContext context, Message message) {
    try {
      return Validation.violations(message);
    } catch (ValidationException e) {
      throw new HandlerException(
          ErrorType.INTERNAL,
          "the buf.validate rules of " + message.getDescriptorForType().getFullName()
              + " cannot be evaluated (" + where(context) + "): " + e.getMessage(),
          e,
          RetryBehavior.NON_RETRYABLE);
    }
  }

  private static String where(OperationContext context) {
    return context.getService() + "/" + context.getOperation();
  }
}
