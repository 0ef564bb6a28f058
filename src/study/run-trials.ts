/**
 * `runTrials`: the loop every worker runs over a set of trials (claim atomically, train under
 * heartbeats, finish), so any number of processes on any number of machines share one study.
 */
import { TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
import { isJsonObject } from './json.js';
import { keepAlive } from './keep-alive.js';
import { currentOwner, isOwnerDeadHere } from './owner.js';
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
  /**
   * Workers known to start on this study together, this one included (a tune and the worker
   * processes it starts): a claim counts at least this many workers while they are still starting,
   * so the first one does not take a lone worker's half. Default 1.
   */
  team?: number;
  /**
   * The trials are so little work that a worker joining while they run would arrive after they end:
   * a lone worker's first claim takes them all (one pass) instead of leaving half for a joiner.
   * Default false.
   */
  brief?: boolean;
  /** Milliseconds between polls while waiting. Default: a quarter of the heartbeat timeout, between 50 ms and 500 ms (`POLL_MAX_MS`). */
  pollMs?: number;
}

/**
 * The longest default poll while waiting (ms). A worker that waits on the others' last pass or on the
 * refit exits up to one poll after they finish, and that delay is the study's wall time: half a
 * second keeps it small (was 2 s), for one cheap read per poll.
 */
export const POLL_MAX_MS = 500;

const isOpen = (t: Trial | null): t is Trial => t !== null && (t.state === 'WAITING' || t.state === 'RUNNING');

/**
 * Runs every unfinished trial among `trials` and returns them all, finished, re-read from storage
 * (in the same order). Claims up to `chunk` claimable trials at a time, and never more than this
 * worker's share (see {@link shareOf}: ceil(free / workers alive), counting two when alone at its
 * first claim, everything when still alone after it), so a worker that joins later finds work at
 * its next claim; then
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
  const pollMs = options.pollMs ?? Math.min(POLL_MAX_MS, Math.max(50, storage.heartbeatTimeoutMs / 4));
  const presence = new Presence(storage, studyId);
  let held: Trial[] = []; // claimed by this process and not finished: run again after a lost population
  let waitingOn = '';
  try {
    for (;;) {
      await presence.refresh();
      const current = await storage.getTrials(trials.map((t) => t.id));
      const open = current.filter(isOpen);
      held = held.filter((h) => open.some((t) => t.id === h.id && t.attempt === h.attempt && t.state === 'RUNNING'));
      if (open.length === 0 || (options.signal?.aborted && held.length === 0)) return current as Trial[];
      const claimed = [...held];
      if (claimed.length < chunk && !options.signal?.aborted) {
        const rest = open.filter((t) => !claimed.some((c) => c.id === t.id));
        const max = Math.min(chunk - claimed.length, await shareOf(storage, studyId, rest, !hasClaimed(storage, studyId), options.team ?? 1, options.brief ?? false));
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
      markClaimed(storage, studyId);
      held = await runClaimed(storage, claimed, work);
    }
  } finally {
    await presence.leave();
  }
}

/**
 * The studies this process has claimed trials of, per storage: a strategy that calls runTrials once
 * per batch or rung (bayes, successive halving) makes its "first claim" once per study, so a lone
 * worker leaves half for a joiner once, not at every batch.
 */
const claimedIn = new WeakMap<StudyStorage, Set<number>>();
const hasClaimed = (storage: StudyStorage, studyId: number): boolean => claimedIn.get(storage)?.has(studyId) ?? false;
function markClaimed(storage: StudyStorage, studyId: number): void {
  const studies = claimedIn.get(storage) ?? new Set<number>();
  claimedIn.set(storage, studies.add(studyId));
}

const sameOwner = (a: TrialOwner | null, b: TrialOwner): boolean => a !== null && a.pid === b.pid && a.hostname === b.hostname;

/**
 * Claims started this close together belong to one round: workers started together (process
 * start-up skews them by a second or two) split one pool. PostgreSQL stamps a claim with the server's
 * clock: a worker whose clock is off by more than this sees no round and takes its share of the free
 * trials only (the even split is lost, no trial is).
 */
const ROUND_MS = 5_000;

/**
 * How many of `open` this worker may claim now, on a shared storage (on a private one: all).
 * Its share is ceil(pool / workers): the pool is the free trials (WAITING, or held by no live
 * worker: see `StudyStorage.liveWorkers`) plus those other workers claimed in the last
 * {@link ROUND_MS}, so workers started together split the same grid evenly instead of each taking a
 * share of what the previous one left (16, 10, 7, … for 3 workers on 48 trials: uneven passes, and
 * a population pass costs a fixed part per pass plus a part per member). The workers counted are
 * those holding or having just finished trials, and this one.
 * - A first claim that sees no other worker counts two: half stays free for a worker started with
 *   it or joining during that pass (it gets work at its next claim, and never more than its share);
 *   unless the trials are `brief`, when it counts one and takes them all.
 * - A later claim that sees no other worker, not even one waiting (see {@link Presence}), takes
 *   everything: nobody joined during the first pass, so a lone worker makes two passes, not log₂ n.
 * - A worker that is registered but holds nothing does not shrink a first round's shares: on a host
 *   with fewer cores than workers it would only add a pass's fixed cost; it stands by, takes over
 *   trials that go silent, and counts in later claims.
 * - A worker that knows its `team` (workers started together with it) counts at least that many at
 *   its first claim.
 * At least 1, so a trial the storage deems claimable is never left.
 */
async function shareOf(storage: StudyStorage, studyId: number, open: readonly Trial[], first: boolean, team: number, brief: boolean): Promise<number> {
  if (!storage.shared) return Infinity;
  const me = currentOwner();
  const live = (await storage.liveWorkers(studyId)).filter((w) => !sameOwner(w, me));
  const seen = first ? Math.max(live.length + 1, brief ? 1 : 2) : new Set([...live.map(presenceKey), ...(await Presence.others(storage, studyId))]).size + 1;
  // A known team counts in full at the first claim, before its members have shown up.
  const workers = first ? Math.max(seen, team) : seen;
  if (workers === 1) return Infinity;
  const liveHolder = (t: Trial) => t.state === 'RUNNING' && live.some((w) => sameOwner(t.owner, w));
  const now = Date.now();
  const free = open.filter((t) => !liveHolder(t)).length;
  const round = open.filter((t) => liveHolder(t) && t.startedAt !== null && Math.abs(now - t.startedAt) < ROUND_MS).length;
  return Math.max(1, Math.ceil((free + round) / workers));
}

/**
 * This worker's registration on a shared study, the attribute `worker:<host>:<pid>` →
 * `{ at, pid, hostname }` (`at`: last refresh, ms), so that a worker waiting with nothing in hand
 * still counts as present: a lone worker then does not take every remaining trial while another
 * waits. Refreshed at most every quarter heartbeat timeout (a worker in a pass is alive by its
 * trials' heartbeats); set to null when the worker leaves (the store has no attribute delete).
 */
class Presence {
  private last = -Infinity;
  private readonly key = presenceKey(currentOwner());
  constructor(private readonly storage: StudyStorage, private readonly studyId: number) {}

  async refresh(): Promise<void> {
    if (!this.storage.shared || Date.now() - this.last < this.storage.heartbeatTimeoutMs / 4) return;
    this.last = Date.now();
    const me = currentOwner();
    await this.storage.setStudyAttr(this.studyId, this.key, { at: this.last, pid: me.pid, hostname: me.hostname });
  }

  async leave(): Promise<void> {
    if (this.storage.shared && this.last > -Infinity) await this.storage.setStudyAttr(this.studyId, this.key, null).catch(() => undefined);
  }

  /** The keys of the other workers registered on the study and refreshed within the heartbeat timeout. */
  static async others(storage: StudyStorage, studyId: number): Promise<string[]> {
    const mine = presenceKey(currentOwner());
    const since = Date.now() - storage.heartbeatTimeoutMs;
    return Object.entries(await storage.getStudyAttrs(studyId)).flatMap(([k, v]) => (k.startsWith('worker:') && k !== mine && isFresh(v, since) ? [k] : []));
  }
}

const presenceKey = (o: TrialOwner): string => `worker:${o.hostname}:${o.pid}`;

/** A registration refreshed since `since` whose process, when on this host, still exists. */
function isFresh(v: Json, since: number): boolean {
  if (!isJsonObject(v)) return false;
  const { at, pid, hostname } = v;
  return typeof at === 'number' && at >= since && typeof pid === 'number' && typeof hostname === 'string' && !isOwnerDeadHere({ pid, hostname });
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
