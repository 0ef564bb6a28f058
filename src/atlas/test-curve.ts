/**
 * A cell's test loss at every λ of its grid, so that any rule's λ can be judged by the test loss it
 * gives (regret) and not only by its distance to λ*: one refit on the cell's m rows per λ, scored on
 * its test rows, read between grid points by interpolation in log λ.
 */
import { InvalidDataError } from '../errors.js';
import { metricsOf, problemOf } from '../solvers/model-rows.js';
import { evaluateParams } from '../train/fit.js';
import { fitExact } from '../train/fit-exact.js';
import { train } from '../train/trainer.js';
import { createSetup } from '../tune/setup.js';
import type { TuneOptions } from '../tune/strategy.js';

/** The refit at one λ (seed convention), scored on the cell's test rows. */
export interface TestCurvePoint {
  lambda: number;
  /** null when the refit diverged or did not converge (exact). */
  test_loss: number | null;
  /** SGD: epochs trained (under 'auto': until converged or the cap); exact: null. */
  epochs: number | null;
  /** SGD: the convergence rule held at the last epoch; exact: the solve met its tolerance. */
  converged: boolean;
  /** SGD: τ, the penalty's decay timescale in epochs; exact: null. */
  lambda_timescale_epochs: number | null;
}

/**
 * Refits at each λ on the whole training part of `options` (the cell's m rows, as tune() splits them)
 * and scores the test part. SGD refits train as one population from the same initialization and
 * shuffling as tune()'s own refit, so the point at the chosen λ reproduces its test loss.
 */
export async function measureTestCurve(options: TuneOptions, lambdas: readonly number[]): Promise<TestCurvePoint[]> {
  const setup = createSetup(options, options);
  const arch = setup.architecture(0);
  const n = setup.train.n;
  const sorted = [...new Set(lambdas)].sort((a, b) => a - b);
  if (setup.plan.solver === 'exact') {
    const test = problemOf(arch, setup.test, undefined, 0);
    const points: TestCurvePoint[] = [];
    for (const lambda of sorted) {
      const pen = setup.plan.coefficients(lambda, n);
      const f = await fitExact(arch, setup.train, undefined, pen.coupled + pen.decoupled);
      points.push({ lambda, test_loss: f.solve.converged ? metricsOf(arch, test, f.solve.theta).loss : null, epochs: null, converged: f.solve.converged, lambda_timescale_epochs: null });
    }
    return points;
  }
  const r = await train(setup.train, undefined, { ...setup.trainOptions(arch), members: sorted.map((lambda) => ({ penalty: setup.plan.coefficients(lambda, n), lr: setup.plan.lr })) });
  const out: TestCurvePoint[] = [];
  for (const [k, lambda] of sorted.entries()) {
    const member = r.members[k];
    const loss = member.diverged ? null : (await evaluateParams(arch, member.params, setup.test, setup.threads)).loss;
    out.push({
      lambda,
      test_loss: loss !== null && Number.isFinite(loss) ? loss : null,
      epochs: member.history[member.history.length - 1].epoch,
      converged: member.converged,
      lambda_timescale_epochs: Number.isFinite(member.lambdaTimescaleEpochs) ? member.lambdaTimescaleEpochs : null,
    });
  }
  return out;
}

/**
 * The test loss at λ read off a curve: linear in log λ between the two grid points around it.
 * Outside the curve's range, or next to a point without a loss, it is null: the curve says nothing there.
 */
export function testLossAt(curve: readonly Pick<TestCurvePoint, 'lambda' | 'test_loss'>[], lambda: number): number | null {
  if (!(lambda > 0)) throw new InvalidDataError(`testLossAt: λ must be positive, got ${lambda}.`);
  const pts = [...curve].sort((a, b) => a.lambda - b.lambda);
  const tol = 1e-9;
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i];
    if (Math.abs(Math.log(lambda / a.lambda)) <= tol) return a.test_loss;
    const b = pts[i + 1];
    if (b && lambda > a.lambda && lambda < b.lambda) {
      if (a.test_loss === null || b.test_loss === null) return null;
      const t = Math.log(lambda / a.lambda) / Math.log(b.lambda / a.lambda);
      return a.test_loss + t * (b.test_loss - a.test_loss);
    }
  }
  return null;
}
