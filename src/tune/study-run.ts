/**
 * A tuning run's view of its study: trials keyed by their configuration, so that re-running the same
 * command reuses finished trials, re-runs those a dead process left RUNNING, and never does one twice.
 */
import { openStorage, type Json, type StudyConfig, type StudyStorage, type Trial, type Study } from '../study/index.js';
import { EpochWriter, withEpochSink } from './epoch-progress.js';
import type { Config, ConfigScore } from './score.js';

/** Deterministic trial key of a configuration (plus strategy-specific parts such as a rung). */
export function trialKey(c: Config, extra: Record<string, number> = {}): string {
  return [`lambda=${c.lambda}`, `dropout=${c.dropout}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)].join('|');
}

const HEARTBEAT_MS = 30_000;
const POLL_MS = 2_000;

export class StudyRun {
  private constructor(
    readonly storage: StudyStorage,
    readonly study: Study,
    private readonly ownsStorage: boolean,
  ) {}

  static async open(storage: string | StudyStorage, name: string, config: StudyConfig): Promise<StudyRun> {
    const s = typeof storage === 'string' ? await openStorage(storage) : storage;
    const { value } = await s.createStudy(name, config);
    return new StudyRun(s, value, typeof storage === 'string');
  }

  /** Creates (or finds) the trials of `configs`; returns them in the same order. */
  async trials(configs: Config[], extra: Record<string, number> = {}): Promise<Trial[]> {
    const out: Trial[] = [];
    for (const c of configs) {
      const params = { lambda: c.lambda, dropout: c.dropout, ...extra };
      out.push((await this.storage.createTrial(this.study.id, params, trialKey(c, extra))).value);
    }
    return out;
  }

  /**
   * Runs every unfinished trial among `trials` through `score` (up to `chunk` claimable ones per
   * call, so they can train as one population), finishing each as COMPLETE or FAIL. Waits for trials another
   * live process holds. Returns the trials, all finished, re-read from storage.
   */
  async run(trials: Trial[], score: (configs: Config[], claimed: Trial[]) => Promise<ConfigScore[]>, resultExtra?: (s: ConfigScore) => Record<string, Json>, chunk = Infinity): Promise<Trial[]> {
    for (;;) {
      const current = await Promise.all(trials.map((t) => this.storage.getTrial(t.id)));
      const open = current.filter((t): t is Trial => t !== null && (t.state === 'WAITING' || t.state === 'RUNNING'));
      if (open.length === 0) return current as Trial[];
      const claimed: Trial[] = [];
      for (const t of open) {
        if (claimed.length >= chunk) break;
        const c = await this.storage.claimTrial(this.study.id, { trialId: t.id });
        if (c) claimed.push(c);
      }
      if (claimed.length === 0) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      const beat = setInterval(() => {
        for (const t of claimed) this.storage.heartbeat(t.id, { attempt: t.attempt }).catch(() => undefined);
      }, HEARTBEAT_MS);
      const epochs = new EpochWriter(this.storage, claimed.map((t) => t.id));
      try {
        const configs = claimed.map((t) => ({ lambda: t.params.lambda, dropout: (t.params.dropout as number | undefined) ?? 0 }));
        const scores = await withEpochSink(epochs.sink, () => score(configs, claimed));
        await epochs.flush();
        for (let i = 0; i < claimed.length; i++) await this.finish(claimed[i], scores[i], resultExtra?.(scores[i]));
      } finally {
        clearInterval(beat);
      }
    }
  }

  private async finish(t: Trial, s: ConfigScore, extra: Record<string, Json> = {}): Promise<void> {
    const result: Json = {
      se: Number.isFinite(s.se) ? s.se : null,
      train_mean: Number.isFinite(s.trainMean) ? s.trainMean : null,
      folds: s.folds.map((f) => ({ val_loss: Number.isFinite(f.valLoss) ? f.valLoss : null, train_loss: Number.isFinite(f.trainLoss) ? f.trainLoss : null, val_accuracy: f.valAccuracy ?? null, epoch: f.epoch, curve: f.curve.map((v) => (Number.isFinite(v) ? v : null)) })),
      ...extra,
    };
    if (s.diverged || !Number.isFinite(s.mean)) await this.storage.finishTrial(t.id, 'FAIL', { reason: `diverged: ${s.diverged ?? 'non-finite validation loss'}`, result, attempt: t.attempt });
    else await this.storage.finishTrial(t.id, 'COMPLETE', { value: s.mean, result, attempt: t.attempt });
  }

  async close(): Promise<void> {
    if (this.ownsStorage) await this.storage.close();
  }
}

/** A finished trial as a point of the validation curve. */
export interface TrialPoint {
  lambda: number;
  dropout: number;
  mean: number;
  se: number;
  trainMean: number;
  state: Trial['state'];
  reason: string | null;
}

export function trialPoint(t: Trial): TrialPoint {
  const r = (t.result ?? {}) as { se?: number | null; train_mean?: number | null };
  return {
    lambda: t.params.lambda,
    dropout: (t.params.dropout as number | undefined) ?? 0,
    mean: t.state === 'COMPLETE' ? t.value! : NaN,
    se: r.se ?? NaN,
    trainMean: r.train_mean ?? NaN,
    state: t.state,
    reason: t.reason,
  };
}
