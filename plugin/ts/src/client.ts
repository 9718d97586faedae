/**
 * `@nexusproto/runtime/client`: calls from application code, outside workflows, as
 * standalone Nexus operations (`client.nexus`). Standalone operations are
 * experimental in the Temporal SDK and must be enabled on the server.
 */
import { randomUUID } from 'node:crypto';
import type * as nexus from 'nexus-rpc';
import type { Client, NexusOperationHandle, NexusServiceClient, StartNexusOperationOptions } from '@temporalio/client';
import { checkedRequest, type OperationContract } from './contract';

/** Options of one standalone call; the ID is random and the timeout the contract's unless set. */
export type StandaloneCallOptions = Partial<StartNexusOperationOptions>;

export type { NexusOperationHandle };

/** A Nexus service client for application code, with the contract's defaults. */
export class StandaloneNexusClient<T extends nexus.ServiceDefinition> {
  readonly #client: NexusServiceClient<T>;

  constructor(client: Client, service: T, endpoint: string) {
    this.#client = client.nexus.createServiceClient({ service, endpoint });
  }

  /** Starts the operation and returns its handle; nothing is sent when the request is invalid. */
  async start<I, O>(
    operation: nexus.OperationDefinition<I, O>,
    contract: OperationContract,
    request: I,
    options: StandaloneCallOptions | undefined,
  ): Promise<NexusOperationHandle<O>> {
    checkedRequest(contract, request);
    const withDefaults: StartNexusOperationOptions = {
      ...(contract.scheduleToCloseTimeout === undefined
        ? {}
        : { scheduleToCloseTimeout: contract.scheduleToCloseTimeout }),
      ...options,
      id: options?.id ?? randomUUID(),
    };
    // The SDK types a call by the operation's key or its definition within T; the generated
    // clients pass a definition of T, which TypeScript cannot prove generically here.
    const start = this.#client.startOperation as (
      op: nexus.OperationDefinition<I, O>,
      input: I,
      options: StartNexusOperationOptions,
    ) => Promise<NexusOperationHandle<O>>;
    return await start.call(this.#client, operation, request, withDefaults);
  }

  /** Calls the operation and waits for its result. */
  async execute<I, O>(
    operation: nexus.OperationDefinition<I, O>,
    contract: OperationContract,
    request: I,
    options: StandaloneCallOptions | undefined,
  ): Promise<O> {
    const handle = await this.start(operation, contract, request, options);
    return await handle.result();
  }
}
