/**
 * A tuning run's view of its study: trials keyed by their configuration, so that re-running the same
 * command reuses finished trials, re-runs those a dead process left RUNNING, never does one twice,
 * and shares the work with other workers on the same study.
 */
import { invalidNumber } from '../../errors.js';
import { openStorage, openStudy, runTrials, type Study, type StudyConfig, type StudyStorage, type Trial, type RunTrialsOptions, type TrialOutcome, type WaitEvent } from '../../study/index.js';
import { EpochWriter, withEpochSink, type EpochSink } from './epoch-progress.js';
import type { OnProgress } from '../../train/progress.js';
import type { Config, ConfigScore } from '../scoring/config-score.js';
import { readTrialResult, writeTrialResult, type Refit, type TrialResultExtra } from './trial-result.js';

/** Deterministic trial key of a configuration (plus strategy-specific parts such as a rung). */
export function trialKey(c: Config, extra: Record<string, number> = {}): string {
  return [`lambda=${c.lambda}`, `dropout=${c.dropout}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)].join('|');
}

/** Options of {@link StudyRun.open} that concern the workers sharing a study. */
export interface StudyRunOptions {
  /** Seconds without a heartbeat after which another worker's RUNNING trial is run here instead. Default 60 (the storage's default). */
  heartbeatTimeout?: number;
  /** Called when this worker waits on trials that other workers run (the CLI prints a line). */
  onWait?: (e: WaitEvent) => void;
  /** Called when a study of this name, stored under another config with no result, was replaced (see {@link openStudy}). */
  onReplace?: (stored: Study) => void;
  /** Receives the trials read from the store, each epoch and each finished trial (see {@link ProgressEvent}). */
  onProgress?: OnProgress;
  /** Workers known to start on this study together, this one included (a run and its own --workers): the first claims split the trials among that many (see runTrials' `team`). Default 1. */
  team?: number;
}

export class StudyRun {
  /** Trials of every run() so far: all, those already finished in the store when run() began, those trained (finished) by this process, and those finished by anyone. */
  readonly counts = { total: 0, fromStore: 0, trained: 0, done: 0 };
  private readonly t0 = performance.now();

  private constructor(
    readonly storage: StudyStorage,
    readonly study: Study,
    private readonly ownsStorage: boolean,
    private readonly onWait?: (e: WaitEvent) => void,
    private readonly onProgress?: OnProgress,
    private readonly team?: number,
  ) {}

  /** Opens (or creates) the study `name`. `heartbeatTimeout` applies when `storage` is a path or URL; an open storage keeps its own. */
  static async open(storage: string | StudyStorage, name: string, config: StudyConfig, options: StudyRunOptions = {}): Promise<StudyRun> {
    const timeout = options.heartbeatTimeout;
    if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) throw invalidNumber('heartbeatTimeout', 'tune', '(0, ∞) seconds', timeout);
    const s = typeof storage === 'string' ? await openStorage(storage, timeout === undefined ? {} : { heartbeatTimeoutMs: timeout * 1000 }) : storage;
    try {
      const { value, replaced } = await openStudy(s, name, config);
      if (replaced) options.onReplace?.(replaced);
      return new StudyRun(s, value, typeof storage === 'string', options.onWait, options.onProgress, options.team);
    } catch (e) {
      if (typeof storage === 'string') await s.close();
      throw e;
    }
  }

  /** Creates (or finds) the trials of `configs`, in one transaction; returns them in the same order. */
  async trials(configs: Config[], extra: Record<string, number> = {}): Promise<Trial[]> {
    const specs = configs.map((c) => ({ params: { lambda: c.lambda, dropout: c.dropout, ...extra }, key: trialKey(c, extra) }));
    return (await this.storage.createTrials(this.study.id, specs)).map((t) => t.value);
  }

  /**
   * Runs every unfinished trial among `trials` through `score` (up to `claims.chunk` claimable ones per
   * call, so they can train as one population; `claims.brief`: see runTrials), finishing each as COMPLETE, PRUNED or FAIL, alongside any
   * other workers on the same study (see {@link runTrials}). `score` should pass `signal` on to the
   * trainer: it aborts when another worker took one of the trials over. Returns the trials, all finished.
   */
  async run(
    trials: Trial[],
    score: (configs: Config[], claimed: Trial[], signal: AbortSignal) => Promise<ConfigScore[]>,
    resultExtra?: (s: ConfigScore) => TrialResultExtra,
    claims: Pick<RunTrialsOptions, 'chunk' | 'brief'> = {},
  ): Promise<Trial[]> {
    const elapsed = () => (performance.now() - this.t0) / 1000;
    const stored = (await this.storage.getTrials(trials.map((t) => t.id))).filter((t) => t !== null && t.state !== 'WAITING' && t.state !== 'RUNNING').length;
    const doneBefore = this.counts.done;
    this.counts.total += trials.length;
    this.counts.fromStore += stored;
    this.counts.done += stored;
    this.onProgress?.({ kind: 'stored', fromStore: stored, done: this.counts.done, total: this.counts.total, elapsed: elapsed() });
    const finished = await runTrials(
      this.storage,
      this.study.id,
      trials,
      async (claimed, signal) => {
        const configs = claimed.map((t) => ({ lambda: t.params.lambda, dropout: (t.params.dropout as number | undefined) ?? 0 }));
        const epochs = new EpochWriter(this.storage, claimed.map((t) => t.id));
        const progress = this.onProgress;
        // The store's per-epoch writer and the caller's progress share the trainer's one epoch hook.
        const sink: EpochSink = progress
          ? (i, fold, r) => {
              epochs.sink(i, fold, r);
              progress({ kind: 'epoch', lambda: configs[i].lambda, dropout: configs[i].dropout, fold, epoch: r.epoch, elapsed: elapsed() });
            }
          : epochs.sink;
        const scores = await withEpochSink(sink, () => score(configs, claimed, signal));
        await epochs.flush();
        const outcomes = scores.map((s) => outcome(s, resultExtra?.(s)));
        outcomes.forEach((o, i) => {
          this.counts.done++;
          this.counts.trained++;
          // The score's own λ: the evidence strategy's one trial is keyed at λ = 0 and finds its λ.
          progress?.({ kind: 'trial', lambda: scores[i].config.lambda, dropout: configs[i].dropout, state: o.state, value: o.value ?? null, done: this.counts.done, total: this.counts.total, elapsed: elapsed() });
        });
        return outcomes;
      },
      { ...claims, onWait: this.onWait, team: this.team },
    );
    // Trials other workers finished meanwhile count as done too.
    this.counts.done = doneBefore + trials.length;
    return finished;
  }

  async close(): Promise<void> {
    if (this.ownsStorage) await this.storage.close();
  }
}

/** A scored configuration as a finished trial: COMPLETE with its mean validation loss, PRUNED with its best so far, or FAIL when it diverged or its solve failed. */
function outcome(s: ConfigScore, extra?: TrialResultExtra): TrialOutcome {
  const result = writeTrialResult(s, extra);
  if (s.pruned !== undefined) return { state: 'PRUNED', reason: s.pruned, result, ...(Number.isFinite(s.mean) ? { value: s.mean } : {}) };
  if (s.failure) return { state: 'FAIL', reason: s.failure, result };
  if (s.diverged || !Number.isFinite(s.mean)) return { state: 'FAIL', reason: `diverged: ${s.diverged ?? 'non-finite validation loss'}`, result };
  return { state: 'COMPLETE', value: s.mean, result };
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
  /** A PRUNED trial's best validation loss when it stopped (its `mean` is NaN: it is no candidate). */
  prunedValue?: number;
  /** τ in epochs (null: no penalty or unknown; undefined: not stored, e.g. closed-form strategies). */
  lambdaTimescaleEpochs?: number | null;
  converged?: boolean;
  epochsTrained?: number;
  /** The refit at this config, trained with the trial (a grid trial whose population carried it; see refitsInPopulation). */
  refit?: Refit;
  /** The epoch its folds were scored at, mean over folds (under early stopping: their best epochs). */
  scoredEpoch?: number;
}

export function trialPoint(t: Trial): TrialPoint {
  const r = readTrialResult(t.result, `trial ${t.number}`);
  return {
    // The evidence strategy's one trial is keyed at λ = 0; its result holds the λ it found.
    lambda: r?.evidence && r.refit ? r.refit.lambda : t.params.lambda,
    dropout: (t.params.dropout as number | undefined) ?? 0,
    mean: t.state === 'COMPLETE' ? t.value! : NaN,
    ...(t.state === 'PRUNED' ? { prunedValue: t.value ?? NaN } : {}),
    se: r?.se ?? NaN,
    trainMean: r?.train_mean ?? NaN,
    state: t.state,
    reason: t.reason,
    ...(r?.lambda_timescale_epochs !== undefined ? { lambdaTimescaleEpochs: r.lambda_timescale_epochs, converged: r.converged ?? false, epochsTrained: r.epochs_trained ?? undefined } : {}),
    ...(r?.refit ? { refit: r.refit } : {}),
    ...(r?.folds?.length ? { scoredEpoch: r.folds.reduce((a, f) => a + f.epoch, 0) / r.folds.length } : {}),
  };
}
