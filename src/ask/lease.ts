/**
 * Leases on handed-out trials: who holds one (a client id, or one ask), how long it lasts without a
 * report (the study's heartbeat timeout), and what happens when it lapses: the trial is FAILed and
 * its λ handed out again under a new trial number, so a late report names a finished trial and is
 * refused, never mistaken for the new holder's.
 */
import { randomUUID } from 'node:crypto';
import { ASK_HEARTBEAT_TIMEOUT_S } from '../options/registry.js';
import { invalidNumber } from '../errors.js';
import { TrialAlreadyFinishedError, TrialNotOwnedError, type Study, type StudyStorage, type Trial, type TrialOwner } from '../study/index.js';
import { readTrialResult } from '../tune/trials/trial-result.js';
import type { ResolvedContext } from './context.js';
import { reportsOf, trialResultOf } from './reports.js';

/** The study attribute holding its heartbeat timeout in seconds. */
const TIMEOUT_ATTR = 'ask:heartbeat_timeout';

/** A λ whose trials lapsed this many times is not handed out again: its last trial stays FAILed (a loop that dies on it, out of memory say, would otherwise take it forever). */
const MAX_RETRIES = 3;

/** Checks a heartbeat timeout in seconds: (0, 86 400], as `--heartbeat-timeout`. */
export function checkHeartbeatTimeout(seconds: unknown): number | undefined {
  if (seconds === undefined) return undefined;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400) return seconds;
  throw invalidNumber('heartbeat-timeout', 'ask', '(0, 86400] seconds', seconds);
}

/**
 * The study's heartbeat timeout in ms. `given` (a service's or an ask's) is recorded on the study
 * when it differs; otherwise the recorded one holds, and a study without one gets the default.
 */
export async function leaseMs(storage: StudyStorage, study: Study, given?: number): Promise<number> {
  const stored = (await storage.getStudyAttrs(study.id))[TIMEOUT_ATTR];
  const seconds = given ?? (typeof stored === 'number' ? stored : ASK_HEARTBEAT_TIMEOUT_S);
  if (seconds !== stored) await storage.setStudyAttr(study.id, TIMEOUT_ATTR, seconds);
  return seconds * 1000;
}

/** The heartbeat timeout in ms of the study `studyId`, read only (report, tell). */
export async function storedLeaseMs(storage: StudyStorage, studyId: number): Promise<number> {
  const stored = (await storage.getStudyAttrs(studyId))[TIMEOUT_ATTR];
  return (typeof stored === 'number' ? stored : ASK_HEARTBEAT_TIMEOUT_S) * 1000;
}

/**
 * Who holds a handed-out trial: `client:<id>`, or `ask:<uuid>` for an ask without a client id (no
 * one can ask for it back). The "host" is never a machine's name (a colon cannot be in one), so the
 * storage never takes the holder for a dead local process; the pid is the process that handed it out.
 */
export function holderOf(clientId: string | undefined): TrialOwner {
  return { pid: process.pid, hostname: clientId === undefined ? `ask:${randomUUID()}` : `client:${clientId}` };
}

/** Whether a RUNNING trial went without a report (or the ask that handed it out) for longer than the lease. */
export function lapsed(t: Trial, ms: number, now = Date.now()): boolean {
  return t.state === 'RUNNING' && t.heartbeatAt !== null && now - t.heartbeatAt > ms;
}

/** A FAILed trial whose λ went to a new trial after its lease lapsed: bookkeeping, not a result (strategies and best leave it out). */
export function wasReplaced(t: Trial): boolean {
  return t.state === 'FAIL' && readTrialResult(t.result, `trial ${t.number}`)?.replaced_by !== undefined;
}

/**
 * Hands the λ of every lapsed trial (other than `keep`, the asking client's own) out again: a new
 * WAITING trial with the same params and `retry` + 1, then the lapsed one FAILed pointing at it.
 * In that order, so a crash between leaves the λ in the pool; both steps are idempotent (the new
 * trial's key, the attempt guard), so several processes doing this at once do it once.
 */
export async function replaceLapsed(storage: StudyStorage, ctx: ResolvedContext, study: Study, trials: readonly Trial[], ms: number, keep?: string): Promise<void> {
  for (const t of trials.filter((x) => lapsed(x, ms) && x.owner?.hostname !== keep)) {
    const retry = (typeof t.params.retry === 'number' ? t.params.retry : 0) + 1;
    const silent = `no report for more than the heartbeat timeout of ${ms / 1000} s`;
    const spare = retry <= MAX_RETRIES ? (await storage.createTrial(study.id, { ...t.params, retry }, `${t.key.replace(/\|retry=\d+$/, '')}|retry=${retry}`)).value : undefined;
    const reason = spare ? `lease lapsed: ${silent}; its λ was handed out again as trial ${spare.number}` : `lease lapsed ${retry} times: ${silent}; this λ is not handed out again`;
    const result = trialResultOf(t.params.lambda, ctx.plan.timescale(t.params.lambda), NaN, reportsOf(t), spare ? { replaced_by: spare.number } : {});
    try {
      await storage.finishTrial(t.id, 'FAIL', { reason, result, attempt: t.attempt });
    } catch (e) {
      // Another process replaced it first, or its holder told it just now: either way it is settled.
      if (!(e instanceof TrialAlreadyFinishedError || e instanceof TrialNotOwnedError)) throw e;
    }
  }
}
