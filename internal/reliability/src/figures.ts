import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The figures of one reliability scenario on one store, for docs/reliability.md. */
export interface ScenarioFigures {
  readonly scenario: string;
  readonly store: string;
  /** Calls made. */
  readonly calls: number;
  /** Runs of the function. */
  readonly executions: number;
  /** Faults injected. */
  readonly faults: number;
  /** Callers that received a result that was not their key's one run. */
  readonly lost: number;
  /** Records left IN_PROGRESS, or missing, once every call returned. */
  readonly stuck: number;
}

/**
 * Appends one scenario's figures as a JSON line to the file named by
 * IDEMKIT_RELIABILITY_REPORT; does nothing when it is not set.
 */
export async function recordFigures(figures: ScenarioFigures): Promise<void> {
  const file = process.env.IDEMKIT_RELIABILITY_REPORT;
  if (file === undefined || file === '') return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify({ ...figures, at: new Date().toISOString() })}\n`);
}
