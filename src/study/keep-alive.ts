/** `keepAlive`: the one place that refreshes RUNNING trials' heartbeats while they train, and says when one is lost. */
import { TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
import { invalidNumber } from '../errors.js';
import type { StudyStorage, Trial } from './storage.js';

/** Options of {@link keepAlive}. */
export interface KeepAliveOptions {
  /**
   * Milliseconds between heartbeats. Default: a quarter of the storage's `heartbeatTimeoutMs`
   * (15 s for the default minute), so three beats can be late before another worker takes over;
   * kept within [10 ms, 30 s]. Must be > 0.
   */
  intervalMs?: number;
  /** Called once per trial that is no longer this process's (reclaimed after a stall, or finished elsewhere). */
  onLost?: (trial: Pick<Trial, 'id' | 'attempt'>, error: Error) => void;
}

/** Running heartbeats of one or several trials (a population trains several at once). */
export interface KeepAlive {
  /** Stops the timer and waits for a heartbeat in flight. Call before `finishTrial`. */
  stop(): Promise<void>;
  /** Why each lost trial was lost, by trial id; empty while every trial is still this process's. */
  readonly lost: ReadonlyMap<number, Error>;
  /** Aborted, with the first loss as its reason, as soon as any trial is lost: pass it to the training so it stops. */
  readonly signal: AbortSignal;
}

/**
 * Sends `storage.heartbeat(id, {attempt})` for each trial every `intervalMs` until stopped.
 * Transient errors (a dropped connection) are retried at the next tick; a trial that another worker
 * took over (`TrialNotOwnedError`) or finished is marked lost, gets no more heartbeats, and aborts
 * `signal`: the trainer stops at its next step instead of training a trial that is no longer ours.
 * The timer does not keep the process alive.
 *
 * @example
 * const trial = await storage.claimTrial(study.id);
 * const alive = keepAlive(storage, [trial]);
 * try { value = await train(trial.params, alive.signal); } finally { await alive.stop(); }
 * await storage.finishTrial(trial.id, 'COMPLETE', { value, attempt: trial.attempt });
 */
export function keepAlive(storage: StudyStorage, trials: readonly Pick<Trial, 'id' | 'attempt'>[], options: KeepAliveOptions = {}): KeepAlive {
  const intervalMs = options.intervalMs ?? Math.min(30_000, Math.max(10, storage.heartbeatTimeoutMs / 4));
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) throw invalidNumber('intervalMs', 'keepAlive', '(0, ∞)', intervalMs);
  const lost = new Map<number, Error>();
  const controller = new AbortController();
  let inFlight: Promise<void> | null = null;
  const beat = async (): Promise<void> => {
    for (const t of trials) {
      if (lost.has(t.id)) continue;
      try {
        await storage.heartbeat(t.id, { attempt: t.attempt });
      } catch (e) {
        // Anything else is retried at the next tick: a network storage may be briefly unreachable.
        if (!(e instanceof TrialNotOwnedError || e instanceof TrialAlreadyFinishedError)) continue;
        lost.set(t.id, e);
        options.onLost?.(t, e);
        if (!controller.signal.aborted) controller.abort(e);
      }
    }
    if (lost.size === trials.length) clearInterval(timer);
  };
  const timer = setInterval(() => {
    if (inFlight !== null) return; // never two rounds of heartbeats at once
    inFlight = beat().finally(() => (inFlight = null));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
    lost,
    signal: controller.signal,
  };
}
