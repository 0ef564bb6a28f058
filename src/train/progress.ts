/** The progress events that tune(), fit() and runAtlas() report through their `onProgress` callback. */

/**
 * One step of long work, as `onProgress` receives it:
 * - `stored`: a set of trials was opened; `fromStore` of them were already finished in the study store (a resumed run) and are not trained again. `done`/`total` count every trial of the run so far.
 * - `epoch`: member `fold` of the trial at (`lambda`, `dropout`) finished `epoch` (gradient-descent training only; `fold` is 0 for fit() and a hold-out split).
 * - `trial`: a trial finished in this process, `COMPLETE` with its mean validation loss `value`, `PRUNED` with the best loss it showed (`value`, null if none), or `FAIL`; `done` of `total` trials are now finished.
 *
 * runAtlas() passes on the events of each of its tune() calls (its `onStrategyStart` says which cell and strategy).
 *
 * `elapsed` is seconds since the call started.
 */
export type ProgressEvent =
  | { kind: 'stored'; fromStore: number; done: number; total: number; elapsed: number }
  | { kind: 'epoch'; lambda: number; dropout: number; fold: number; epoch: number; epochs?: number; elapsed: number }
  | { kind: 'trial'; lambda: number; dropout: number; state: 'COMPLETE' | 'PRUNED' | 'FAIL'; value: number | null; done: number; total: number; elapsed: number };

/** Receives {@link ProgressEvent}s; it must not throw (an error would abort the work). */
export type OnProgress = (e: ProgressEvent) => void;
