/**
 * `@nexusproto/runtime/handler`: the handler side, for the worker (not the workflow
 * bundle). Generated service handlers wrap each operation with these: requests are
 * checked before the team's code sees them (non-retryable BAD_REQUEST), sync responses
 * after it returns (non-retryable INTERNAL), and workflow-bound operations start or
 * reach their workflow as the contract says.
 */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import * as nexus from 'nexus-rpc';
import { WorkflowNotFoundError, type Workflow, type WorkflowIdConflictPolicy, type WorkflowIdReusePolicy } from '@temporalio/common';
import { QueryNotRegisteredError, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  getClient,
  operationInfo,
  startWorkflow,
  WorkflowRunOperationHandler,
  type WorkflowHandle,
} from '@temporalio/nexus';
import type { OperationContract } from './contract';
import { summary, violations } from './validation';

export type { WorkflowHandle };


function check(schema: DescMessage | undefined, message: unknown): string[] {
  if (schema === undefined || message === undefined) return [];
  return violations(schema, message as MessageShape<DescMessage>);
}

/** Throws a non-retryable BAD_REQUEST when the request breaks its rules. */
export function checkRequest(contract: OperationContract, request: unknown): void {
  const found = check(contract.validateRequest, request);
  if (found.length > 0 && contract.validateRequest !== undefined) {
    throw new nexus.HandlerError(
      'BAD_REQUEST',
      `invalid request to ${contract.service}/${contract.operation}: ${summary(contract.validateRequest, found)}`,
      { retryableOverride: false },
    );
  }
}

/** Throws a non-retryable INTERNAL error when the handler's response breaks its rules:
 * a bug in the handler, which a retry would only repeat. */
export function checkResponse(contract: OperationContract, response: unknown): void {
  const found = check(contract.validateResponse, response);
  if (found.length > 0 && contract.validateResponse !== undefined) {
    throw new nexus.HandlerError(
      'INTERNAL',
      `handler of ${contract.service}/${contract.operation} returned an invalid response: ` +
        summary(contract.validateResponse, found),
      { retryableOverride: false },
    );
  }
}

/** The function a team writes for a sync operation. */
export type SyncHandler<I, O> = (ctx: nexus.StartOperationContext, request: I) => Promise<O>;

/** A sync operation: the request checked, `handler` run, its response checked. */
export function syncOperation<I, O>(contract: OperationContract, handler: SyncHandler<I, O>): nexus.SyncOperationHandler<I, O> {
  return async (ctx, request) => {
    checkRequest(contract, request);
    const response = await handler(ctx, request);
    checkResponse(contract, response);
    return response;
  };
}

/** The function that starts a workflow-run operation's workflow. */
export type WorkflowRunHandler<I, O> = (ctx: nexus.StartOperationContext, request: I) => Promise<WorkflowHandle<O>>;

/** A workflow-run operation: the request checked, then `start` starts the workflow. */
export function workflowRunOperation<I, O>(
  contract: OperationContract,
  start: WorkflowRunHandler<I, O>,
): WorkflowRunOperationHandler<I, O> {
  return new WorkflowRunOperationHandler<I, O>(async (ctx, request) => {
    checkRequest(contract, request);
    return await start(ctx, request);
  });
}

/** A workflow-run binding, as the contract states it. */
export interface WorkflowRun {
  readonly workflowType: string;
  readonly workflowId: string;
  /** Empty or absent: the handler worker's own task queue. */
  readonly taskQueue?: string;
  readonly idReusePolicy?: WorkflowIdReusePolicy;
  readonly idConflictPolicy?: WorkflowIdConflictPolicy;
}

/** `service/operation/request-id`: the same for every attempt of one operation start,
 * so a retried start finds the workflow the first attempt started. */
export function defaultWorkflowId(ctx: nexus.StartOperationContext): string {
  return `${ctx.service}/${ctx.operation}/${ctx.requestId}`;
}

/** Starts the workflow of `run` with the request as its argument (none for Empty). */
export async function startWorkflowRun<O>(
  ctx: nexus.StartOperationContext,
  run: WorkflowRun,
  request: unknown,
): Promise<WorkflowHandle<O>> {
  const handle = await startWorkflow(ctx, run.workflowType, {
    workflowId: run.workflowId,
    args: request === undefined ? [] : [request],
    ...(run.taskQueue ? { taskQueue: run.taskQueue } : {}),
    ...(run.idReusePolicy ? { workflowIdReusePolicy: run.idReusePolicy } : {}),
    ...(run.idConflictPolicy ? { workflowIdConflictPolicy: run.idConflictPolicy } : {}),
  });
  return handle as unknown as WorkflowHandle<O>;
}

/** Answers NOT_IMPLEMENTED: an operation the handler does not serve. */
export function notImplemented(service: string, operation: string): never {
  throw new nexus.HandlerError('NOT_IMPLEMENTED', `${service}/${operation} is not implemented`);
}

// Updates, signals and queries of long-lived workflows --------------------------------

/** A workflow an update, signal or query reaches, and how to start it when none runs. */
export interface WorkflowEntity {
  readonly workflowId: string;
  readonly start?: { readonly workflowType: string; readonly taskQueue?: string };
}

function argumentsOf(request: unknown): unknown[] {
  return request === undefined ? [] : [request];
}

async function reaching<T>(entity: WorkflowEntity, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new nexus.HandlerError('NOT_FOUND', `no running workflow with ID '${entity.workflowId}': ${error.message}`, {
        retryableOverride: false,
      });
    }
    if (error instanceof WorkflowUpdateFailedError || error instanceof QueryNotRegisteredError) {
      const cause = error.cause instanceof Error ? error.cause.message : error.message;
      throw new nexus.OperationError('failed', `${what} of workflow '${entity.workflowId}' failed: ${cause}`);
    }
    throw error;
  }
}

/** Runs update `name` of the workflow (update-with-start when `entity.start` is set). */
export async function updateWorkflow<O>(
  ctx: nexus.StartOperationContext,
  entity: WorkflowEntity,
  name: string,
  request: unknown,
): Promise<O> {
  const client = getClient();
  const args = argumentsOf(request);
  const updateId = defaultWorkflowId(ctx);
  return await reaching(entity, `update '${name}'`, async () => {
    if (entity.start === undefined) {
      const handle = client.workflow.getHandle(entity.workflowId);
      return request === undefined
        ? await handle.executeUpdate<O, []>(name, { updateId })
        : await handle.executeUpdate<O, [unknown]>(name, { args: [request], updateId });
    }
    const startOperation = new WithStartWorkflowOperation(entity.start.workflowType, {
      workflowId: entity.workflowId,
      args,
      taskQueue: entity.start.taskQueue || operationInfo().taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return request === undefined
      ? await client.workflow.executeUpdateWithStart<Workflow, O, []>(name, { updateId, startWorkflowOperation: startOperation })
      : await client.workflow.executeUpdateWithStart<Workflow, O, [unknown]>(name, {
          args: [request],
          updateId,
          startWorkflowOperation: startOperation,
        });
  });
}

/** Sends signal `name` to the workflow (signal-with-start when `entity.start` is set). */
export async function signalWorkflow(
  _ctx: nexus.StartOperationContext,
  entity: WorkflowEntity,
  name: string,
  request: unknown,
): Promise<void> {
  const client = getClient();
  const args = argumentsOf(request);
  await reaching(entity, `signal '${name}'`, async () => {
    if (entity.start === undefined) {
      await client.workflow.getHandle(entity.workflowId).signal(name, ...args);
      return;
    }
    await client.workflow.signalWithStart(entity.start.workflowType, {
      workflowId: entity.workflowId,
      args,
      taskQueue: entity.start.taskQueue || operationInfo().taskQueue,
      signal: name,
      signalArgs: args,
    });
  });
}

/** Runs query `name` of the workflow; a closed workflow answers with its final state. */
export async function queryWorkflow<O>(
  _ctx: nexus.StartOperationContext,
  entity: WorkflowEntity,
  name: string,
  request: unknown,
): Promise<O> {
  const handle = getClient().workflow.getHandle(entity.workflowId);
  return await reaching(entity, `query '${name}'`, async () => (await handle.query(name, ...argumentsOf(request))) as O);
}
