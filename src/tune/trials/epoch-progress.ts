/**
 * Where a tuning run sends each member's per-epoch record while it trains: the study store's
 * `reportEpochs`, so a running pass shows its progress. The sink follows the scoring call through
 * an AsyncLocalStorage because every strategy scores inside `StudyRun.run`'s callback: no strategy
 * has to pass it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { StudyStorage, TrialEpochInput } from '../../study/index.js';
import type { EpochRecord } from '../../train/trainer.js';

/** Receives member `fold` of configuration `config` (an index into the configs being scored) at `epoch`. */
export type EpochSink = (config: number, fold: number, record: EpochRecord) => void;

const current = new AsyncLocalStorage<EpochSink>();

/** Runs `fn` with `sink` receiving the records of every `scoreConfigs` call made inside it. */
export function withEpochSink<T>(sink: EpochSink, fn: () => Promise<T>): Promise<T> {
  return current.run(sink, fn);
}

/** The sink of the enclosing {@link withEpochSink}, if any. */
export function currentEpochSink(): EpochSink | undefined {
  return current.getStore();
}

/** Milliseconds between batched writes: a SQLite commit waits for an fsync on the training thread, so small models' epochs (a few ms each) are not written one by one. */
const FLUSH_EVERY_MS = 250;

/**
 * Buffers records of the claimed trials (config i is `trialIds[i]`) and writes them in batches at
 * most every {@link FLUSH_EVERY_MS}, one write in flight at a time. {@link EpochWriter.flush}
 * writes what is left. A failed write is dropped (progress display only) and kept as `lastError`.
 */
export class EpochWriter {
  private pending: TrialEpochInput[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  lastError: Error | undefined;

  constructor(
    private readonly storage: StudyStorage,
    private readonly trialIds: readonly number[],
  ) {}

  readonly sink: EpochSink = (config, fold, r) => {
    this.pending.push({ trialId: this.trialIds[config], member: fold, epoch: r.epoch, trainLoss: r.data_loss, valLoss: r.val_loss ?? null, valAccuracy: r.val_accuracy ?? null, penalty: r.penalty, sumSquares: r.sum_sq });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  };

  /** Writes every buffered record now (after any write in flight). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      await this.storage.reportEpochs(batch).catch((e: unknown) => {
        this.lastError = e as Error;
      });
    });
    return this.writing;
  }
}
