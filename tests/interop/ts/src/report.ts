// How a call went, as plain JSON for the Python test.

export interface ErrorReport {
  /** Error class names from the outermost error down its `cause` chain. */
  chain: string[];
  /** Messages along the same chain. */
  messages: string[];
  /** The Nexus handler error's type (BAD_REQUEST, INTERNAL, ...), when one is in the chain. */
  handlerErrorType?: string;
  handlerErrorRetryable?: boolean;
}

export interface CallReport {
  ok: boolean;
  /** The decoded result's message type ("payments.v1.ProcessPaymentResponse"). */
  resultType?: string;
  /** Fields of the result, as the caller sees them (enums as numbers and names). */
  result?: Record<string, unknown>;
  operationToken?: string;
  error?: ErrorReport;
}

export function describeError(err: unknown): ErrorReport {
  const report: ErrorReport = { chain: [], messages: [] };
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    const e = current as { name?: string; message?: string; type?: string; retryable?: boolean; cause?: unknown };
    const name = (current as object).constructor?.name ?? e.name ?? typeof current;
    report.chain.push(name);
    report.messages.push(String(e.message ?? current));
    if (name === 'HandlerError' && report.handlerErrorType === undefined) {
      report.handlerErrorType = e.type;
      report.handlerErrorRetryable = e.retryable;
    }
    current = e.cause;
  }
  return report;
}

export async function attempt(
  call: () => Promise<{ resultType: string; result?: Record<string, unknown>; operationToken?: string }>,
): Promise<CallReport> {
  try {
    return { ok: true, ...(await call()) };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}
