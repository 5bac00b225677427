import { IdempotencyConfigError, IdempotencyLeaseLostError, IdempotencySerializationError } from './errors.js';
import type { LambdaContextLike } from './lambda-context.js';
import { leaseFor } from './lambda-context.js';
import { errorName, type Runtime } from './runtime.js';
import { decodeOutcome, encodeError, encodeResult, replayOutcome } from './stored-result.js';
import type { StepResults } from './types.js';

const MAX_STEP_NAME_LENGTH = 200;

/** The argument of a step function. */
export interface StepContext {
  /**
   * A key derived from the record key and the step name: the same on every retry of the call.
   * Send it to the API the step calls as that API's own idempotency key.
   */
  readonly key: string;
}

/** Everything a claim is created with. */
export interface ClaimInit {
  readonly key: string;
  readonly namespace: string;
  readonly leaseToken: string;
  readonly payloadHash: string | undefined;
  /** Core's clock when the claim was acquired, epoch ms. */
  readonly acquiredAt: number;
  readonly steps: StepResults;
  readonly context: LambdaContextLike | undefined;
}

/**
 * A claim this call holds on a key: run the function, then `complete` with its result or `fail`
 * with its error. Exactly one of the two must be called.
 */
export class Claim {
  readonly key: string;
  readonly namespace: string;
  readonly #runtime: Runtime<never>;
  readonly #init: ClaimInit;
  readonly #usedSteps = new Set<string>();
  #heartbeat: ReturnType<typeof setTimeout> | undefined;
  #settled = false;

  constructor(runtime: Runtime<never>, init: ClaimInit) {
    this.#runtime = runtime;
    this.#init = init;
    this.key = init.key;
    this.namespace = init.namespace;
    this.#scheduleHeartbeat();
  }

  /** Names of the steps this claim received from a claim it took over. */
  get replayableSteps(): readonly string[] {
    return Object.keys(this.#init.steps);
  }

  /**
   * Runs a step of the call. A step that completed in an earlier attempt returns its stored
   * result without running `fn`. Otherwise `fn` runs, and its result is stored before `step`
   * returns; a process that dies in between runs `fn` again on the retry.
   */
  async step<T>(name: string, fn: (context: StepContext) => T | Promise<T>): Promise<T> {
    this.#checkStepName(name);
    const stepKey = `${this.key}.${name}`;

    const stored = this.#init.steps[name];
    if (stored !== undefined) {
      this.#runtime.emit({ type: 'stepReplayed', namespace: this.namespace, key: this.key, step: name });
      return replayOutcome(decodeOutcome(this.#runtime.options.serializer, stored)) as T;
    }

    const value = await fn({ key: stepKey });
    await this.#saveStep(name, encodeResult(this.#runtime.options.serializer, value));
    return value;
  }

  /** Stores the function's result, or releases the claim when `storeResult` returns false for it. */
  async complete(result: unknown): Promise<void> {
    this.#settle();
    if (!(await this.#shouldStore(result))) {
      await this.#release();
      return;
    }
    await this.#store(() => encodeResult(this.#runtime.options.serializer, result));
  }

  /**
   * Records that the function threw. The claim is released, so a retry runs again, unless
   * `storeErrors` returns true for this error. Never throws, because store failures are logged.
   */
  async fail(error: unknown): Promise<void> {
    const { log } = this.#runtime.options;
    if (this.#settled) {
      log.error('The claim was already completed or failed, so this failure was not recorded', { key: this.key });
      return;
    }
    this.#settle();
    if (!this.#shouldStoreError(error)) {
      await this.#release();
      return;
    }
    try {
      await this.#store(() => encodeError(this.#runtime.options.serializer, error));
    } catch (storeError) {
      log.error('Could not store the error that storeErrors selected; the claim lapses with its lease', { key: this.key, error: (storeError as Error).name });
    }
  }

  /** Asks `storeErrors`; a predicate that throws counts as "do not store", and is logged. */
  #shouldStoreError(error: unknown): boolean {
    const { storeErrors, log } = this.#runtime.options;
    if (storeErrors === undefined) return false;
    try {
      return storeErrors(error);
    } catch (predicateError) {
      log.error('The storeErrors predicate threw; the claim is released instead', { key: this.key, error: errorName(predicateError) });
      return false;
    }
  }

  /** Asks `storeResult`; when it throws, the claim is released and its error thrown. */
  async #shouldStore(result: unknown): Promise<boolean> {
    const { storeResult } = this.#runtime.options;
    if (storeResult === undefined) return true;
    try {
      return storeResult(result);
    } catch (error) {
      await this.#release();
      throw error;
    }
  }

  async #store(encode: () => string): Promise<void> {
    const { persistence, clock, log, failOpen } = this.#runtime.options;
    let response: string;
    try {
      response = encode();
    } catch (error) {
      await this.#release();
      throw error;
    }

    let stored: boolean;
    try {
      stored = await persistence.complete({ key: this.key, leaseToken: this.#init.leaseToken, response, now: clock() });
    } catch (error) {
      if (IdempotencySerializationError.is(error)) {
        await this.#release();
        throw error;
      }
      const failure = this.#runtime.persistenceError('complete', this.key, error);
      if (!failOpen) throw failure;
      log.error('Could not store the result; returning it anyway because failOpen is set', { key: this.key });
      this.#runtime.emit({ type: 'failOpen', namespace: this.namespace, key: this.key });
      return;
    }

    if (!stored) {
      this.#leaseLost('complete');
      return;
    }
    this.#runtime.emit({ type: 'completed', namespace: this.namespace, key: this.key });
    this.#runtime.cache?.set(this.key, {
      response,
      payloadHash: this.#init.payloadHash,
      // An estimate on core's clock: the record was created at or after the acquire began.
      // NOTE: for a store-clock layer, clock skew between this process and the store shifts
      // this estimate by the skew, so a cached replay can outlive the record by that much.
      expiresAt: this.#init.acquiredAt + this.#runtime.options.expiresAfterMs,
    });
  }

  async #release(): Promise<void> {
    const { persistence, clock, log } = this.#runtime.options;
    let released: boolean;
    try {
      released = await persistence.release({ key: this.key, leaseToken: this.#init.leaseToken, now: clock() });
    } catch (error) {
      log.error('Could not release the claim; retries get an in-progress error until its lease lapses', { key: this.key, error: (error as Error).name });
      return;
    }
    if (!released) {
      // The record is gone or another caller owns it: either way nothing of this call remains to
      // release. A retried release whose first reply was lost ends here too, so this is no warning.
      log.debug('The claim was already gone or taken over when it was released', { key: this.key });
      return;
    }
    this.#runtime.emit({ type: 'released', namespace: this.namespace, key: this.key });
  }

  async #saveStep(name: string, result: string): Promise<void> {
    const { persistence, clock } = this.#runtime.options;
    let saved: boolean;
    try {
      saved = await persistence.saveStep({ key: this.key, leaseToken: this.#init.leaseToken, name, result, now: clock() });
    } catch (error) {
      throw this.#runtime.persistenceError('save a step of', this.key, error);
    }
    if (saved) return;
    this.#leaseLost('saveStep');
    throw new IdempotencyLeaseLostError(
      `Another caller took over the claim on ${this.key} after its lease lapsed, so step "${name}" was not stored; this call stops here. Use a longer lease or heartbeatMs for long work.`,
      { key: this.key },
    );
  }

  #leaseLost(operation: string): void {
    this.#runtime.options.log.warn(`Lease lost: another caller took over the claim, so ${operation} was not stored`, { key: this.key });
    this.#runtime.emit({ type: 'leaseLost', namespace: this.namespace, key: this.key });
  }

  #checkStepName(name: unknown): void {
    if (typeof name !== 'string' || name === '' || name.length > MAX_STEP_NAME_LENGTH) {
      throw new IdempotencyConfigError(`A step name must be a non-empty string of at most ${MAX_STEP_NAME_LENGTH} characters, got ${typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : typeof name}.`);
    }
    if (this.#usedSteps.has(name)) {
      throw new IdempotencyConfigError(`The step name ${JSON.stringify(name)} was used twice in one call; give every step of a call its own name.`);
    }
    this.#usedSteps.add(name);
  }

  #settle(): void {
    if (this.#settled) throw new IdempotencyConfigError(`The claim on ${this.key} was already completed or failed; call complete or fail once.`);
    this.#settled = true;
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
  }

  #scheduleHeartbeat(): void {
    const { heartbeatMs } = this.#runtime.options;
    if (heartbeatMs === undefined) return;
    this.#heartbeat = setTimeout(() => void this.#beat(), heartbeatMs);
    (this.#heartbeat as { unref?: () => void }).unref?.();
  }

  async #beat(): Promise<void> {
    const { persistence, clock, log, leaseMs, expiresAfterMs } = this.#runtime.options;
    let extended = true;
    try {
      const lease = leaseFor(this.#init.context, leaseMs, expiresAfterMs);
      extended = await persistence.extend({ key: this.key, leaseToken: this.#init.leaseToken, leaseMs: lease, now: clock() });
    } catch (error) {
      log.warn('Could not renew the lease; trying again at the next heartbeat', { key: this.key, error: (error as Error).name });
    }
    if (this.#settled) return;
    if (!extended) {
      this.#leaseLost('extend');
      return;
    }
    this.#scheduleHeartbeat();
  }
}
