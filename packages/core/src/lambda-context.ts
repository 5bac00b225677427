/**
 * The parts of the AWS Lambda context object that idemkit reads.
 *
 * @example
 * ```ts
 * const context: LambdaContextLike = { functionName: 'payments', getRemainingTimeInMillis: () => 30_000 };
 * ```
 */
export interface LambdaContextLike {
  readonly functionName?: string;
  getRemainingTimeInMillis(): number;
}

/** True for an object that looks like a Lambda context: it has `getRemainingTimeInMillis()`. */
export function isLambdaContext(value: unknown): value is LambdaContextLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getRemainingTimeInMillis?: unknown }).getRemainingTimeInMillis === 'function'
  );
}

/** Finds the Lambda context among a call's arguments, after the first one (the input). */
export function findLambdaContext(args: readonly unknown[]): LambdaContextLike | undefined {
  for (let index = 1; index < args.length; index++) {
    const candidate = args[index];
    if (isLambdaContext(candidate)) return candidate;
  }
  return undefined;
}

/** The Lambda function name from the context, else from `AWS_LAMBDA_FUNCTION_NAME`. */
export function lambdaFunctionName(context: LambdaContextLike | undefined): string | undefined {
  const fromContext = context?.functionName;
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  const fromEnvironment = readEnvironment('AWS_LAMBDA_FUNCTION_NAME');
  return fromEnvironment === '' ? undefined : fromEnvironment;
}

/** Reads an environment variable where the runtime has `process.env`; edge runtimes may not. */
export function readEnvironment(name: string): string | undefined {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.[name];
}

/**
 * Returns the lease for a call: the context's remaining time when there is a context, else
 * `fallbackMs`. A context with 0 ms remaining still gives a 1 ms lease, and no lease is longer
 * than `maxMs`.
 */
export function leaseFor(context: LambdaContextLike | undefined, fallbackMs: number, maxMs: number): number {
  let leaseMs = fallbackMs;
  if (context !== undefined) {
    const remainingMs = context.getRemainingTimeInMillis();
    if (Number.isFinite(remainingMs)) leaseMs = remainingMs;
  }
  return Math.min(Math.max(1, Math.floor(leaseMs)), maxMs);
}
