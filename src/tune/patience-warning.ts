/** Did λ_min win by training longer? The tune warning when λ_min's trial ran on well past the trials beside it. */
import { median } from '../util/median.js';
import type { TrialPoint } from './trials/study-run.js';

/** A finished trial as the warning reads it. */
export interface StoppedPoint {
  lambda: number;
  /** Epochs the trial trained (early stopping's last epoch, or the budget). */
  epochsTrained: number;
}

/** λ_min's trial trained at least this many times its neighbours' median epochs before the warning speaks. */
export const LONGER_FACTOR = 1.5;

/** Neighbours of λ_min: the other finished trials within this many decades of it on either side. */
export const NEIGHBOUR_DECADES = 0.5;

/** Fewer neighbours than this give no median to compare with. */
const MIN_NEIGHBOURS = 2;

/**
 * Under early stopping (`--patience`) a trial whose noisy validation curve happens to keep falling
 * trains on, and a longer-trained trial usually scores lower: the comparison can reward training time
 * as much as λ, and the refit inherits the winner's epochs. Compared with its neighbours in λ, not
 * with every trial: a λ that holds overfitting off trains longer for a real reason (on breast-cancer
 * λ ≥ 316 stop after 3 epochs, λ ≤ 1 after 5, λ 3–178 after 6–18). On bench:tune's hold-out problems
 * (`--patience 3`, 20 epochs, 25-point grids, seeds 1–5) this fires on fashion-4k seeds 1, 2, 3 and 5
 * and nowhere else: seed 1's λ = 5.62 trained 13 epochs to a loss of 0.523 while its neighbours 1.78–17.8
 * stopped after 7 (every λ from 0.01 to 10 but it stopped at 0.56–0.60), and on those seeds the λ bayes chose,
 * scored at 3–9 epochs, refit 5–10% worse than the grid's (bench/RESULTS.md, issue 22).
 * Returns the warning when λ_min's neighbours stopped (median) before `budget` and its trial trained
 * at least {@link LONGER_FACTOR} times as long; undefined otherwise. `patience`: tune's --patience,
 * undefined for the trials of the user's own loop (ask/tell), whose stopping rule l2lab does not know.
 *
 * @example
 * longerTrainingWarning(points, { lambda: 5.62, epochsTrained: 13 }, 3, 20);
 * // "λ_min = 5.62 trained 13 epochs where early stopping (--patience 3) ended its neighbours (λ 1.78–17.8) after 7 of 20: …"
 */
export function longerTrainingWarning(points: readonly StoppedPoint[], best: StoppedPoint, patience: number | undefined, budget: number): string | undefined {
  const near = neighbourEpochs(points, best);
  if (!near || !(near.median < budget && best.epochsTrained >= LONGER_FACTOR * near.median)) return undefined;
  const sig = (x: number) => String(Number(x.toPrecision(3)));
  // Without `patience` the trials are the user's loop's (ask/tell), which stops them by its own rule.
  const stopping = patience === undefined ? 'early stopping' : `early stopping (--patience ${patience})`;
  const remedy = patience === undefined ? "A longer patience in your loop's early stopping" : `A longer --patience (${2 * patience} or more)`;
  return (
    `λ_min = ${sig(best.lambda)} trained ${best.epochsTrained} epochs where ${stopping} ended its neighbours (λ ${sig(near.low)}–${sig(near.high)}) after ${near.median} of ${budget}: ` +
    `it may have won by training longer, not by its λ (a validation curve that happens to keep falling trains on${patience === undefined ? '' : ', and the refit inherits its epochs'}). ` +
    `${remedy} lets every λ reach its own minimum before they are compared; more validation rows${patience === undefined ? '' : ' (--holdout, --folds k)'} make the stops less noisy.`
  );
}

/** The trials within {@link NEIGHBOUR_DECADES} of `best` (itself excluded): their λ span and median epochs trained; undefined with fewer than two. */
export function neighbourEpochs(points: readonly StoppedPoint[], best: StoppedPoint): { low: number; high: number; median: number } | undefined {
  const neighbours = points.filter((p) => p.lambda !== best.lambda && Math.abs(Math.log10(p.lambda / best.lambda)) <= NEIGHBOUR_DECADES + 1e-9);
  if (best.lambda <= 0 || neighbours.length < MIN_NEIGHBOURS) return undefined;
  const lambdas = neighbours.map((p) => p.lambda);
  return { low: Math.min(...lambdas), high: Math.max(...lambdas), median: median(neighbours.map((p) => p.epochsTrained)) };
}

/** {@link longerTrainingWarning} over a study's finished full-budget trials at λ_min's dropout (tune and show). */
export function stoppedLongerWarning(points: readonly (TrialPoint & { rung?: number })[], best: TrialPoint, patience: number, budget: number): string | undefined {
  const stopped = points.filter((p): p is TrialPoint & { epochsTrained: number } => p.state === 'COMPLETE' && p.rung === undefined && p.dropout === best.dropout && p.epochsTrained !== undefined);
  return best.epochsTrained === undefined ? undefined : longerTrainingWarning(stopped, { lambda: best.lambda, epochsTrained: best.epochsTrained }, patience, budget);
}
