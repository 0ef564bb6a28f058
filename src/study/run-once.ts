/**
 * `runOnce`: a study-wide task (the refit at the chosen λ) that one worker does while the others
 * wait and read its result, kept by a lease attribute that a silent or dead holder loses.
 */
import { canonicalJson, isJsonObject, type Json } from './json.js';
import { currentOwner, isOwnerDeadHere } from './owner.js';
import { POLL_MAX_MS, type WaitEvent } from './run-trials.js';
import type { StudyStorage, TrialOwner } from './storage.js';

/** The lease attribute: who does the task, a beat counter that grows while it works, and whether it let go (done, or failed). */
interface Lease {
  owner: TrialOwner;
  beat: number;
  released: boolean;
}

/** Options of {@link runOnce}. */
export interface RunOnceOptions {
  /** What the task is, for the wait line: e.g. `the refit at λ=0.1`. */
  name: string;
  /** Called when this worker starts waiting on another's task, and again when the holder changes (`held` is empty, `task` set). */
  onWait?: (e: WaitEvent) => void;
  /** Milliseconds between polls while waiting. Default: a quarter of the heartbeat timeout, between 50 ms and 500 ms (`POLL_MAX_MS`). */
  pollMs?: number;
}

const isLease = (x: Json | undefined): x is Json & Lease => isJsonObject(x) && isJsonObject(x.owner) && typeof x.beat === 'number';

/**
 * Returns the study attribute `key` when set; otherwise one worker claims the lease attribute
 * `lease:<key>` (a compare-and-set, {@link StudyStorage.swapStudyAttr}), runs `work`, stores its
 * result under `key` and releases the lease, while every other worker polls until the result is
 * there. A `work` that throws releases the lease too (the error propagates), so a waiter tries at
 * once. The holder renews the lease every quarter of the heartbeat timeout; a lease unchanged for
 * the whole timeout, as a waiter's own clock measures it (so machines' clocks need not agree), or
 * held on this host by a process that is gone, is taken over and the task run again. `ranHere`
 * says whether this process ran `work`.
 *
 * @example
 * const { value } = await runOnce(storage, study.id, 'refit:0.1:0', () => refit(0.1), { name: 'the refit at λ=0.1' });
 */
export async function runOnce<T extends Json>(storage: StudyStorage, studyId: number, key: string, work: () => Promise<T>, options: RunOnceOptions): Promise<{ value: T; ranHere: boolean }> {
  const leaseKey = `lease:${key}`;
  const timeoutMs = storage.heartbeatTimeoutMs;
  const pollMs = options.pollMs ?? Math.min(POLL_MAX_MS, Math.max(50, timeoutMs / 4));
  const me = currentOwner();
  let seen = '';
  let seenAt = Date.now();
  let waitingOn = '';
  for (;;) {
    const attrs = await storage.getStudyAttrs(studyId);
    if (attrs[key] !== undefined) return { value: attrs[key] as T, ranHere: false };
    const lease = attrs[leaseKey];
    const text = lease === undefined ? '' : canonicalJson(lease, leaseKey);
    if (text !== seen) [seen, seenAt] = [text, Date.now()];
    const free = !isLease(lease) || lease.released || isOwnerDeadHere(lease.owner) || Date.now() - seenAt > timeoutMs;
    if (free) {
      const mine: Lease = { owner: me, beat: 0, released: false };
      if (await storage.swapStudyAttr(studyId, leaseKey, lease, mine as unknown as Json)) return { value: await holdAndRun(storage, studyId, key, leaseKey, mine, work), ranHere: true };
      continue;
    }
    const holder = `${lease.owner.hostname}:${lease.owner.pid}`;
    if (holder !== waitingOn) options.onWait?.({ held: [], task: { name: options.name, owner: lease.owner }, timeoutMs });
    waitingOn = holder;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Runs `work` under the lease `mine`, renewing it; stores the result; releases the lease. */
async function holdAndRun<T extends Json>(storage: StudyStorage, studyId: number, key: string, leaseKey: string, mine: Lease, work: () => Promise<T>): Promise<T> {
  let current = mine;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = (next: Lease): Promise<boolean> => {
    const before = current;
    current = next;
    // Taken over by another worker (this one stalled): the result is the same, whoever stores it.
    return storage.swapStudyAttr(studyId, leaseKey, before as unknown as Json, next as unknown as Json).catch(() => false);
  };
  const timer = setInterval(() => {
    renewing = renewing.then(() => renew({ ...current, beat: current.beat + 1 }));
  }, Math.min(30_000, Math.max(10, storage.heartbeatTimeoutMs / 4)));
  timer.unref();
  try {
    const value = await work();
    clearInterval(timer);
    await renewing;
    await storage.setStudyAttr(studyId, key, value);
    return value;
  } finally {
    clearInterval(timer);
    await renewing;
    await renew({ ...current, beat: current.beat + 1, released: true });
  }
}
