/**
 * Calls from workflow code: the SDK's Nexus service client with the contract's
 * defaults (schedule-to-close timeout) and caller-side validation.
 */
import type * as nexus from 'nexus-rpc';
import {
  createNexusServiceClient,
  type NexusOperationHandle,
  type NexusServiceClient,
  type StartNexusOperationOptions,
} from '@temporalio/workflow';
import { checkedRequest, type OperationContract } from './contract';

/** Options of one call from a workflow; what is left out comes from the contract. */
export type WorkflowCallOptions = Partial<StartNexusOperationOptions>;

/**
 * A Nexus service client for workflow code. It holds no workflow state until the first
 * call, so generated clients may be created anywhere, also at module level.
 */
export class WorkflowNexusClient<T extends nexus.ServiceDefinition> {
  #client: NexusServiceClient<T> | undefined;

  constructor(
    readonly service: T,
    readonly endpoint: string,
  ) {}

  /** Starts the operation and returns its handle; nothing is sent when the request is invalid. */
  async start<I, O>(
    operation: nexus.OperationDefinition<I, O>,
    contract: OperationContract,
    request: I,
    options: WorkflowCallOptions | undefined,
  ): Promise<NexusOperationHandle<O>> {
    checkedRequest(contract, request);
    this.#client ??= createNexusServiceClient({ service: this.service, endpoint: this.endpoint });
    const withDefaults: WorkflowCallOptions = {
      ...(contract.scheduleToCloseTimeout === undefined
        ? {}
        : { scheduleToCloseTimeout: contract.scheduleToCloseTimeout }),
      ...options,
    };
    // The SDK types a call by the operation's key or its definition within T; the generated
    // clients pass a definition of T, which TypeScript cannot prove generically here.
    const start = this.#client.startOperation as (
      op: nexus.OperationDefinition<I, O>,
      input: I,
      options: WorkflowCallOptions,
    ) => Promise<NexusOperationHandle<O>>;
    return await start.call(this.#client, operation, request, withDefaults);
  }

  /** Calls the operation and waits for its result. */
  async execute<I, O>(
    operation: nexus.OperationDefinition<I, O>,
    contract: OperationContract,
    request: I,
    options: WorkflowCallOptions | undefined,
  ): Promise<O> {
    const handle = await this.start(operation, contract, request, options);
    return await handle.result();
  }
}
