/** Early stopping: the best score a member reached so far, and whether its patience ran out. */
import type { EarlyStopping } from './train-types.js';

export interface BestSoFar {
  loss: number;
  epoch: number;
  /** The parameters of the best epoch, kept when they are to be restored. */
  params: Float64Array[] | undefined;
  /** Epochs since the last improvement. */
  since: number;
}

export function bestSoFar(): BestSoFar {
  return { loss: Infinity, epoch: 0, params: undefined, since: 0 };
}

/** Takes this epoch's score (validation loss, else cost); true when the member should stop: no improvement by more than minDelta for `patience` epochs. */
export function observeScore(b: BestSoFar, score: number, epoch: number, params: Float64Array[], es: EarlyStopping | undefined): boolean {
  if (score < b.loss - (es?.minDelta ?? 0)) {
    b.loss = score;
    b.epoch = epoch;
    b.since = 0;
    if (es?.restoreBest ?? true) b.params = params;
    return false;
  }
  return es !== undefined && ++b.since >= es.patience;
}

/** Whether the member ends with its best epoch's parameters (early stopping with restoreBest, once an epoch was kept). */
export function restoresBest(es: EarlyStopping | undefined, b: BestSoFar): boolean {
  return (es?.restoreBest ?? true) && es !== undefined && b.params !== undefined;
}
