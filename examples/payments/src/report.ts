// Progress lines and the end-of-day summary.
import type { DayProgress, DayResult } from './day.ts';

/** Formats one progress line. */
export function progressLine(progress: DayProgress): string {
  const { client, app } = progress;
  const percent = Math.floor((100 * progress.paymentsDone) / Math.max(1, progress.payments));
  return (
    `[${(progress.elapsedMs / 1000).toFixed(1).padStart(5)} s] ${String(percent).padStart(3)}%  ` +
    `${progress.paymentsDone}/${progress.payments} payments  ${client.requests} requests  ${app.executions} executions  ` +
    `${client.replays} replays  ${client.conflicts}×409  ${client.mismatches}×422  ${client.serverErrors}×5xx  ${client.timeouts} timeouts`
  );
}

/** The verdict on a day: which payments were charged, or written to the ledger, other than once. */
export interface Verdict {
  readonly ok: boolean;
  readonly chargedTwiceOrMore: readonly string[];
  readonly notCharged: readonly string[];
  /** Payments whose ledger row count is not exactly one. */
  readonly ledgerRowsWrong: readonly string[];
}

/** Compares the provider's own charge counts and the ledger's own row counts with the day's payments. */
export function judge(result: DayResult): Verdict {
  const chargedTwiceOrMore: string[] = [];
  const notCharged: string[] = [];
  const ledgerRowsWrong: string[] = [];
  for (const payment of result.plan) {
    const charges = result.charges.get(payment.paymentId) ?? 0;
    if (charges === 0) notCharged.push(payment.paymentId);
    if (charges > 1) chargedTwiceOrMore.push(payment.paymentId);
    if ((result.ledgerRows.get(payment.paymentId) ?? 0) !== 1) ledgerRowsWrong.push(payment.paymentId);
  }
  const ok = chargedTwiceOrMore.length === 0 && notCharged.length === 0 && ledgerRowsWrong.length === 0;
  return { ok, chargedTwiceOrMore, notCharged, ledgerRowsWrong };
}

/** Formats the summary printed at the end of a run. */
export function summary(result: DayResult, verdict: Verdict): string {
  const { client, app, plan } = result;
  const behaviours = countBy(plan.map((payment) => payment.behaviour));
  const charges = countBy(plan.map((payment) => String(result.charges.get(payment.paymentId) ?? 0)));
  const rows = countBy(plan.map((payment) => String(result.ledgerRows.get(payment.paymentId) ?? 0)));
  const lines = [
    `Summary after ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `  payments            ${plan.length} (${[...behaviours].map(([name, count]) => `${count} ${name}`).join(', ')})`,
    `  requests            ${client.requests}`,
    `  handler executions  ${app.executions}`,
    `  first responses     ${client.firstResponses}`,
    `  replays             ${client.replays}   (2xx with Idempotent-Replayed: true)`,
    `  409 in progress     ${client.conflicts}`,
    `  422 key reused      ${client.mismatches}`,
    `  5xx, retried        ${client.serverErrors}   (injected fraud-check and ledger failures that reached a client)`,
    `  client timeouts     ${client.timeouts}`,
    `  unexpected          ${client.unexpected}   abandoned payments ${client.abandoned}   idemkit warnings ${app.libraryWarnings}`,
    `  charges per payment ${[...charges].sort().map(([times, count]) => `${times} charge${times === '1' ? '' : 's'}: ${count}`).join(', ')}   (the provider's own count)`,
    `  ledger rows per payment ${[...rows].sort().map(([times, count]) => `${times} row${times === '1' ? '' : 's'}: ${count}`).join(', ')}   (the ledger's own count)`,
  ];
  if (verdict.ok) {
    lines.push('OK: every payment was charged exactly once and has exactly one ledger row.');
  } else {
    if (verdict.chargedTwiceOrMore.length > 0) lines.push(`FAILED: charged more than once: ${verdict.chargedTwiceOrMore.join(', ')}`);
    if (verdict.notCharged.length > 0) lines.push(`FAILED: never charged: ${verdict.notCharged.join(', ')}`);
    if (verdict.ledgerRowsWrong.length > 0) lines.push(`FAILED: not exactly one ledger row: ${verdict.ledgerRowsWrong.join(', ')}`);
  }
  return lines.join('\n');
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
