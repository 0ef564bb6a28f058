/** `keepAlive`: refreshes a RUNNING trial's heartbeat on a timer while it trains, so no other process reclaims it. */
import { TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
import { invalidNumber } from '../errors.js';
import type { StudyStorage, Trial } from './storage.js';

/** Options of {@link keepAlive}. */
export interface KeepAliveOptions {
  /** Milliseconds between heartbeats. Default 30 000: a tenth of the default 5-minute heartbeat timeout. Must be > 0. */
  intervalMs?: number;
  /** Called once when the trial is no longer this process's (reclaimed after a stall, or finished elsewhere): stop training it. */
  onLost?: (error: Error) => void;
}

/** A running heartbeat. */
export interface KeepAlive {
  /** Stops the timer and waits for a heartbeat in flight. Call before `finishTrial`. */
  stop(): Promise<void>;
  /** Why ownership was lost, or `null` while the trial is still this process's. */
  readonly lost: Error | null;
}

/**
 * Sends `storage.heartbeat(trial.id, {attempt})` every `intervalMs` until stopped. Needed when a
 * step (an epoch) can take longer than the heartbeat timeout; `reportIntermediate` also refreshes
 * the heartbeat. Transient errors (a dropped connection) are retried at the next tick; losing the
 * trial stops the timer and calls `onLost`. The timer does not keep the process alive.
 *
 * @example
 * const trial = await storage.claimTrial(study.id);
 * const alive = keepAlive(storage, trial, { onLost: () => controller.abort() });
 * try { value = await train(trial.params, controller.signal); } finally { await alive.stop(); }
 * await storage.finishTrial(trial.id, 'COMPLETE', { value, attempt: trial.attempt });
 */
export function keepAlive(storage: StudyStorage, trial: Pick<Trial, 'id' | 'attempt'>, options: KeepAliveOptions = {}): KeepAlive {
  const intervalMs = options.intervalMs ?? 30_000;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) throw invalidNumber('intervalMs', 'keepAlive', '(0, ∞)', intervalMs);
  let lost: Error | null = null;
  let inFlight: Promise<void> | null = null;
  const beat = async (): Promise<void> => {
    try {
      await storage.heartbeat(trial.id, { attempt: trial.attempt });
    } catch (e) {
      if (e instanceof TrialNotOwnedError || e instanceof TrialAlreadyFinishedError) {
        lost = e;
        clearInterval(timer);
        options.onLost?.(e);
      }
      // Anything else is retried at the next tick: a network storage may be briefly unreachable.
    }
  };
  const timer = setInterval(() => {
    if (inFlight !== null || lost !== null) return; // never two heartbeats at once
    inFlight = beat().finally(() => (inFlight = null));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
    get lost() {
      return lost;
    },
  };
}
