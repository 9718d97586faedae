package dev.nexusproto;

import io.nexusrpc.handler.OperationContext;
import io.nexusrpc.handler.OperationStartDetails;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.nexus.Nexus;
import io.temporal.nexus.WorkflowHandle;

/**
 * What a contract's {@code (nexusproto.v1.operation).workflow_run} says about the workflow that
 * an operation starts: its type, task queue and workflow ID policies.
 *
 * <p>The workflow is started by type name through the handler's Temporal client, as the Python
 * handler starts it, so it may be written in any language. Without a task queue it runs on the
 * handler worker's own.
 */
public final class WorkflowRun {
  private final String workflowType;
  private final String taskQueue;
  private final WorkflowIdReusePolicy idReusePolicy;
  private final WorkflowIdConflictPolicy idConflictPolicy;

  /**
   * @param taskQueue empty for the handler worker's task queue
   * @param idReusePolicy null for the server's default
   * @param idConflictPolicy null for the server's default
   */
  public WorkflowRun(
      String workflowType,
      String taskQueue,
      WorkflowIdReusePolicy idReusePolicy,
      WorkflowIdConflictPolicy idConflictPolicy) {
    this.workflowType = workflowType;
    this.taskQueue = taskQueue;
    this.idReusePolicy = idReusePolicy;
    this.idConflictPolicy = idConflictPolicy;
  }

  /** The workflow type started. */
  public String workflowType() {
    return workflowType;
  }

  /**
   * The options of a start under {@code workflowId}: the contract's task queue and policies. A
   * handler that starts the workflow itself can take them and change what it needs.
   */
  public WorkflowOptions.Builder options(String workflowId) {
    WorkflowOptions.Builder options = WorkflowOptions.newBuilder().setWorkflowId(workflowId);
    if (!taskQueue.isEmpty()) {
      options.setTaskQueue(taskQueue);
    }
    if (idReusePolicy != null) {
      options.setWorkflowIdReusePolicy(idReusePolicy);
    }
    if (idConflictPolicy != null) {
      options.setWorkflowIdConflictPolicy(idConflictPolicy);
    }
    return options;
  }

  /**
   * Starts the workflow under {@code workflowId} with {@code arguments} (the request, or none for
   * google.protobuf.Empty); its result, of {@code resultType}, is the operation's.
   */
  public <R> WorkflowHandle<R> start(Class<R> resultType, String workflowId, Object... arguments) {
    WorkflowStub stub =
        Nexus.getOperationContext()
            .getWorkflowClient()
            .newUntypedWorkflowStub(workflowType, options(workflowId).build());
    return WorkflowHandle.fromWorkflowStub(stub, resultType, arguments);
  }

  /**
   * The workflow ID of an operation whose contract sets no template: {@code
   * service/operation/request ID}, the same for every attempt of one start, so a retried start
   * finds the workflow it already started. The Python handler uses the same ID.
   */
  public static String defaultWorkflowId(OperationContext context, OperationStartDetails details) {
    return context.getService() + "/" + context.getOperation() + "/" + details.getRequestId();
  }
}
