import type { ApiEvent, BenchContext } from './events.ts';

/** The handler's result: an API Gateway proxy result. */
export interface OrderResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The one handler that both libraries wrap. It counts its runs, and a phase can make it fail or
 * hold it until released, to reach the failure and in-progress paths.
 */
export class BenchHandler {
  runs = 0;
  fail = false;
  #held: Promise<void> | undefined;
  #onStart: (() => void) | undefined;

  readonly handle = async (event: ApiEvent, _context: BenchContext): Promise<OrderResponse> => {
    this.runs += 1;
    this.#onStart?.();
    if (this.#held !== undefined) await this.#held;
    if (this.fail) throw new Error('bench handler failed on purpose');
    return {
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: event.requestContext.requestId, status: 'accepted' }),
    };
  };

  /** Holds every run from now on until `release()`; `started` resolves when the next run begins. */
  hold(): { readonly started: Promise<void>; release(): void } {
    let release = (): void => {};
    this.#held = new Promise((resolve) => {
      release = resolve;
    });
    const started = new Promise<void>((resolve) => {
      this.#onStart = resolve;
    });
    return {
      started,
      release: () => {
        this.#held = undefined;
        this.#onStart = undefined;
        release();
      },
    };
  }
}
