/**
 * What the contract says about one operation, and the caller-side check of a
 * request against its buf.validate rules (workflow and standalone callers alike).
 */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type * as nexus from 'nexus-rpc';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import { summary, violations } from './validation';

export interface OperationContract {
  /** The Nexus service name on the wire. */
  readonly service: string;
  /** The Nexus operation name on the wire. */
  readonly operation: string;
  /** The contract's schedule-to-close timeout, used when a call sets none. */
  readonly scheduleToCloseTimeout?: Duration;
  /** The request's schema when callers and handlers check it (it has rules). */
  readonly validateRequest?: DescMessage;
  /** The response's schema when the handler checks it (a sync operation's, with rules). */
  readonly validateResponse?: DescMessage;
}

/** The contract of every operation of a service, by the operation's key. */
export type ServiceContract<S extends nexus.ServiceDefinition> = Readonly<Record<keyof S['operations'], OperationContract>>;

/**
 * A request broke its buf.validate rules, so it was not sent. Non-retryable: thrown in a
 * workflow and not caught, it fails the workflow at once instead of retrying its task.
 * `violations` lists each broken rule as `field.path: message [rule id]`.
 */
export class InvalidRequestError extends ApplicationFailure {
  constructor(
    contract: OperationContract,
    schema: DescMessage,
    readonly violations: readonly string[],
  ) {
    super(
      `invalid request to ${contract.service}/${contract.operation}: ${summary(schema, violations)}`,
      'InvalidRequest',
      true,
    );
  }
}

/** `request` itself when the contract does not check it or it keeps its rules; else throws. */
export function checkedRequest<T>(contract: OperationContract, request: T): T {
  const schema = contract.validateRequest;
  if (schema !== undefined) {
    const found = violations(schema, request as MessageShape<DescMessage>);
    if (found.length > 0) throw new InvalidRequestError(contract, schema, found);
  }
  return request;
}
