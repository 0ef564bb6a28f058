/** When a member's run is lost: a minibatch loss that is not finite or exploded, or an epoch's cost that is not finite. */
import type { Divergence } from './train-types.js';

/** A minibatch loss this many times its initial value (or 1, if larger) counts as diverged. */
const EXPLOSION_FACTOR = 1e4;

/** The divergence of a minibatch loss `loss` at step `step` (1-based) of `steps`, if it is one; `initialLoss` is the data loss at initialization. */
export function minibatchDivergence(loss: number, initialLoss: number | undefined, epoch: number, step: number, steps: number): Divergence | undefined {
  // Non-finite, or finite but exploded far past where it started: either way the run is lost.
  const exploded = loss > EXPLOSION_FACTOR * Math.max(1, initialLoss ?? 1);
  if (Number.isFinite(loss) && !exploded) return undefined;
  const what = exploded && Number.isFinite(loss) ? `exploded to ${loss.toExponential(3)} (over ${EXPLOSION_FACTOR}× its initial value)` : `became ${loss}`;
  return { epoch, step, message: `data loss ${what} at epoch ${epoch}, step ${step} of ${steps}` };
}

/** The divergence of an epoch's recorded cost, if it is not finite. */
export function costDivergence(cost: number, epoch: number, steps: number): Divergence | undefined {
  if (Number.isFinite(cost)) return undefined;
  // Every minibatch loss was finite, so the last update of the epoch (or the initialization) broke it.
  return epoch === 0 ? { epoch, step: 0, message: `cost is ${cost} at initialization` } : { epoch, step: steps, message: `cost became ${cost} at epoch ${epoch}, after step ${steps} of ${steps}` };
}
