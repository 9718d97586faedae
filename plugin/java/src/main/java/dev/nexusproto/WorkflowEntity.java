package dev.nexusproto;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nexusrpc.OperationException;
import io.nexusrpc.handler.HandlerException;
import io.nexusrpc.handler.HandlerException.ErrorType;
import io.nexusrpc.handler.HandlerException.RetryBehavior;
import io.nexusrpc.handler.OperationContext;
import io.nexusrpc.handler.OperationStartDetails;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.TemporalFailure;
import io.temporal.nexus.Nexus;

/**
 * An operation bound to a long-lived workflow: an update, a signal or a query of it, as the
 * contract's {@code workflow_update}, {@code workflow_signal} and {@code workflow_query} options
 * say. Generated handler interfaces call {@link #update}, {@link #signal} and {@link #query}; each
 * reaches the workflow in the handler's own namespace through the Temporal client the SDK gives a
 * Nexus handler, and turns what Temporal answers into what a Nexus caller can act on, as the
 * Python runtime does, with the same texts:
 *
 * <ul>
 *   <li>no workflow with that ID (never started, or already closed, for updates and signals): a
 *       non-retryable {@code NOT_FOUND}, {@code no running workflow with ID '<id>': <server's
 *       message>};
 *   <li>an update the workflow rejects or fails, a query it fails or does not define: a failed
 *       operation, {@code <kind> '<name>' of workflow '<id>' failed: <workflow's message>}, which
 *       no retry changes;
 *   <li>anything else keeps the SDK's own classification.
 * </ul>
 *
 * <p>The workflow handlers get the request as their single argument, or none for
 * google.protobuf.Empty, so a handler without parameters (in any SDK) receives none.
 */
public final class WorkflowEntity {
  private final String startWorkflowType;
  private final String startTaskQueue;

  /**
   * @param startWorkflowType the workflow an update or signal starts when none runs with the ID
   *     (the contract's {@code start}), with the request as its argument; empty: the workflow
   *     must run already
   * @param startTaskQueue the started workflow's task queue; empty for the handler worker's own
   */
  public WorkflowEntity(String startWorkflowType, String startTaskQueue) {
    this.startWorkflowType = startWorkflowType;
    this.startTaskQueue = startTaskQueue;
  }

  /**
   * Runs {@code update} of workflow {@code workflowId} with {@code arguments} and returns its
   * result once the workflow completed it ({@code Void.class}: none).
   *
   * <p>The update's ID is {@code service/operation/request ID}: a start the caller's side retries
   * reaches the update it already sent, and the workflow runs it once. With a start workflow type,
   * a workflow that does not run is started with the arguments and receives the update in the same
   * call (update-with-start, ID conflict policy USE_EXISTING): concurrent first calls start one
   * workflow.
   */
  public <R> R update(
      OperationContext context,
      OperationStartDetails details,
      String workflowId,
      String update,
      Class<R> resultType,
      Object... arguments)
      throws OperationException {
    UpdateOptions<R> options =
        UpdateOptions.newBuilder(resultType)
            .setUpdateName(update)
            .setUpdateId(WorkflowRun.defaultWorkflowId(context, details))
            .setWaitForStage(WorkflowUpdateStage.COMPLETED)
            .build();
    try {
      if (startWorkflowType.isEmpty()) {
        return running(workflowId).startUpdate(options, arguments).getResult();
      }
      WorkflowOptions start =
          startOptions(workflowId).toBuilder()
              .setWorkflowIdConflictPolicy(
                  WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
              .build();
      return client()
          .newUntypedWorkflowStub(startWorkflowType, start)
          .executeUpdateWithStart(options, arguments, arguments);
    } catch (WorkflowUpdateException e) {
      throw failed("update " + Validation.pythonRepr(update), workflowId, e.getCause());
    } catch (RuntimeException e) {
      throw notFoundOr(e, workflowId);
    }
  }

  /**
   * Sends {@code signal} with {@code arguments} to workflow {@code workflowId}; returns once
   * Temporal accepted it. A signal has no ID to key on: a start the caller's side retries may
   * deliver it again, as with the Python runtime. With a start workflow type, a workflow that does
   * not run is started with the arguments and receives the signal first (signal-with-start).
   */
  public void signal(String workflowId, String signal, Object... arguments) {
    try {
      if (startWorkflowType.isEmpty()) {
        running(workflowId).signal(signal, arguments);
        return;
      }
      client()
          .newUntypedWorkflowStub(startWorkflowType, startOptions(workflowId))
          .signalWithStart(signal, arguments, arguments);
    } catch (RuntimeException e) {
      throw notFoundOr(e, workflowId);
    }
  }

  /**
   * Runs {@code query} of workflow {@code workflowId} with {@code arguments} and returns its
   * result ({@code Void.class}: none). A closed workflow still answers queries, with its final
   * state.
   */
  public <R> R query(String workflowId, String query, Class<R> resultType, Object... arguments)
      throws OperationException {
    try {
      return running(workflowId).query(query, resultType, arguments);
    } catch (WorkflowQueryException e) {
      throw failed("query " + Validation.pythonRepr(query), workflowId, e.getCause());
    } catch (RuntimeException e) {
      throw notFoundOr(e, workflowId);
    }
  }

  private static WorkflowClient client() {
    return Nexus.getOperationContext().getWorkflowClient();
  }

  private static WorkflowStub running(String workflowId) {
    return client().newUntypedWorkflowStub(workflowId);
  }

  private WorkflowOptions startOptions(String workflowId) {
    String taskQueue =
        startTaskQueue.isEmpty()
            ? Nexus.getOperationContext().getInfo().getTaskQueue()
            : startTaskQueue;
    return WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(taskQueue).build();
  }

  /** The workflow refused or failed the call: retrying the same request gets the same answer. */
  private static OperationException failed(String what, String workflowId, Throwable cause) {
    return OperationException.failed(
        what + " of workflow " + Validation.pythonRepr(workflowId) + " failed: " + message(cause));
  }

  /**
   * A call that found no workflow with the ID (a NOT_FOUND status somewhere in the chain) as a
   * non-retryable NOT_FOUND; anything else as it is.
   */
  private static RuntimeException notFoundOr(RuntimeException error, String workflowId) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof StatusRuntimeException) {
        Status status = ((StatusRuntimeException) cause).getStatus();
        if (status.getCode() == Status.Code.NOT_FOUND) {
          return new HandlerException(
              ErrorType.NOT_FOUND,
              "no running workflow with ID "
                  + Validation.pythonRepr(workflowId)
                  + ": "
                  + status.getDescription(),
              null,
              RetryBehavior.NON_RETRYABLE);
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return error;
  }

  /** The message of the workflow's failure, or of the server's answer, without decoration. */
  private static String message(Throwable cause) {
    for (Throwable error = cause; error != null; error = error.getCause()) {
      if (error instanceof TemporalFailure) {
        return ((TemporalFailure) error).getOriginalMessage();
      }
      if (error instanceof StatusRuntimeException) {
        String description = ((StatusRuntimeException) error).getStatus().getDescription();
        return description == null ? "" : description;
      }
      if (error.getCause() == null || error.getCause() == error) {
        return String.valueOf(error.getMessage());
      }
    }
    return "";
  }
}
