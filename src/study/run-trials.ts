/**
 * `runTrials`: the loop every worker runs over a set of trials (claim atomically, train under
 * heartbeats, finish), so any number of processes on any number of machines share one study.
 */
import { TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
import { keepAlive } from './keep-alive.js';
import { currentOwner } from './owner.js';
import type { FinishedState, Json, StudyStorage, Trial, TrialOwner } from './storage.js';

/** How `work` says one claimed trial ended; {@link runTrials} finishes it under the claim's attempt. */
export interface TrialOutcome {
  state: FinishedState;
  /** Required for COMPLETE (see `StudyStorage.finishTrial`). */
  value?: number;
  result?: Json;
  reason?: string;
}

/** Reported when this worker has nothing left to claim and waits on trials that other workers run. */
export interface WaitEvent {
  /** The RUNNING trials held by others, with their owners and last heartbeats (none when waiting on a `task`). */
  held: Trial[];
  /** A study-wide task another worker runs (see `runOnce`): what it is and who runs it. */
  task?: { name: string; owner: TrialOwner };
  /** The storage's heartbeat timeout: a trial silent this long is taken over by this worker. */
  timeoutMs: number;
}

/** Options of {@link runTrials}. */
export interface RunTrialsOptions {
  /** Most trials handed to `work` at once (trained as one population). Default: this worker's share (see {@link runTrials}). */
  chunk?: number;
  /** Called when this worker starts waiting on other workers' trials, and again whenever that set changes. */
  onWait?: (e: WaitEvent) => void;
  /** Once aborted, no new trial is claimed: returns after the trials in hand are done. */
  signal?: AbortSignal;
  /** Milliseconds between polls while waiting. Default: a quarter of the heartbeat timeout, between 50 ms and 2 s. */
  pollMs?: number;
}

const isOpen = (t: Trial | null): t is Trial => t !== null && (t.state === 'WAITING' || t.state === 'RUNNING');

/**
 * Runs every unfinished trial among `trials` and returns them all, finished, re-read from storage
 * (in the same order). Claims up to `chunk` claimable trials at a time, and never more than this
 * worker's share of those no live worker holds (see {@link shareOf}: one trial first, then
 * ceil(free / workers alive)), so a worker that joins later finds work at its next claim; then
 * calls `work(claimed, signal)`, which returns one outcome per claimed trial. The batch is claimed
 * in one transaction and finished in one, so a pass costs two durable writes and a crash loses at
 * most the pass in hand. While `work` runs, {@link keepAlive} sends the heartbeats; a trial another
 * worker took over aborts `signal`, `work` should stop (the trainer does at its next step), the lost
 * trial is left to its new owner and the others are run again.
 * When every open trial is held by a live worker, it waits (polling, reporting through `onWait`)
 * and takes over any whose heartbeat goes silent for the storage's `heartbeatTimeoutMs`.
 * An error thrown by `work` for any other reason propagates; its trials stay RUNNING until their
 * heartbeat goes stale or, on this host, the process is gone.
 */
export async function runTrials(
  storage: StudyStorage,
  studyId: number,
  trials: readonly Trial[],
  work: (claimed: Trial[], signal: AbortSignal) => Promise<TrialOutcome[]>,
  options: RunTrialsOptions = {},
): Promise<Trial[]> {
  const chunk = options.chunk ?? Infinity;
  const pollMs = options.pollMs ?? Math.min(2_000, Math.max(50, storage.heartbeatTimeoutMs / 4));
  let held: Trial[] = []; // claimed by this process and not finished: run again after a lost population
  let passes = 0;
  let waitingOn = '';
  for (;;) {
    const current = await storage.getTrials(trials.map((t) => t.id));
    const open = current.filter(isOpen);
    held = held.filter((h) => open.some((t) => t.id === h.id && t.attempt === h.attempt && t.state === 'RUNNING'));
    if (open.length === 0 || (options.signal?.aborted && held.length === 0)) return current as Trial[];
    const claimed = [...held];
    if (claimed.length < chunk && !options.signal?.aborted) {
      const rest = open.filter((t) => !claimed.some((c) => c.id === t.id));
      const max = Math.min(chunk - claimed.length, await shareOf(storage, studyId, rest, passes === 0));
      claimed.push(...(await storage.claimTrials(studyId, rest.map((t) => t.id), { max })));
    }
    if (claimed.length === 0) {
      const others = open.filter((t) => t.state === 'RUNNING');
      const key = others.map((t) => `${t.id}:${t.attempt}`).join(',');
      if (key !== waitingOn && others.length > 0) options.onWait?.({ held: others, timeoutMs: storage.heartbeatTimeoutMs });
      waitingOn = key;
      await new Promise((r) => setTimeout(r, pollMs));
      continue;
    }
    waitingOn = '';
    passes++;
    held = await runClaimed(storage, claimed, work);
  }
}

const sameOwner = (a: TrialOwner | null, b: TrialOwner): boolean => a !== null && a.pid === b.pid && a.hostname === b.hostname;

/**
 * How many of `open` this worker may claim now: its share, ceil(free / workers alive), of the free
 * trials (WAITING, or held by no live worker: see `StudyStorage.liveWorkers`), counting itself; at
 * least 1, so a trial the storage deems claimable is never left. On a shared storage a worker's
 * `first` claim takes one trial, which makes it known to workers started with it before any of them
 * takes a large share; and a worker that sees no other counts two, so one that joins while it
 * trains finds half of what was left.
 */
async function shareOf(storage: StudyStorage, studyId: number, open: readonly Trial[], first: boolean): Promise<number> {
  if (!storage.shared) return Infinity;
  if (first) return 1;
  const live = await storage.liveWorkers(studyId);
  const me = currentOwner();
  const free = open.filter((t) => t.state === 'WAITING' || !live.some((w) => sameOwner(t.owner, w))).length;
  const workers = live.length + (live.some((w) => sameOwner(w, me)) ? 0 : 1);
  return Math.max(1, Math.ceil(free / Math.max(workers, 2)));
}

/** Runs one claimed batch; returns the trials still held (not finished, not lost) when a loss stopped it. */
async function runClaimed(storage: StudyStorage, claimed: Trial[], work: (claimed: Trial[], signal: AbortSignal) => Promise<TrialOutcome[]>): Promise<Trial[]> {
  const alive = keepAlive(storage, claimed);
  let outcomes: TrialOutcome[];
  try {
    outcomes = await work(claimed, alive.signal);
  } catch (e) {
    // Stopped because a trial was lost: the rest are still ours, to run again.
    if (alive.signal.aborted) return claimed.filter((t) => !alive.lost.has(t.id));
    throw e;
  } finally {
    await alive.stop();
  }
  // The whole batch in one transaction (one durable write); when one of them was taken over
  // between the last heartbeat and now, the others are finished one by one and the new owner's result counts.
  const finishes = claimed.flatMap((t, i) => {
    const { state, ...outcome } = outcomes[i];
    return alive.lost.has(t.id) ? [] : [{ trialId: t.id, state, outcome: { ...outcome, attempt: t.attempt } }];
  });
  try {
    await storage.finishTrials(finishes);
  } catch (e) {
    if (!isLostClaim(e)) throw e;
    for (const f of finishes) {
      try {
        await storage.finishTrial(f.trialId, f.state, f.outcome);
      } catch (e) {
        if (!isLostClaim(e)) throw e;
      }
    }
  }
  return [];
}

const isLostClaim = (e: unknown): boolean => e instanceof TrialNotOwnedError || e instanceof TrialAlreadyFinishedError;
