/** Backtracking (Armijo) line search along a descent direction: the step that makes both solvers unable to diverge. */

/** A cost to minimize: its value at θ, with its gradient written into `grad`. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;
/** An {@link Objective} that may answer later (an ONNX Runtime session's run). */
export type AsyncObjective = (theta: Float64Array, grad: Float64Array) => number | Promise<number>;

/** Sufficient-decrease constant c₁ of the Armijo condition. */
const ARMIJO = 1e-4;
/** Halvings before giving up: a step of 2⁻⁶⁰ is below float64 resolution of θ. */
const MAX_HALVINGS = 60;

/**
 * The trial steps t = 1, ½, ¼, … of a backtracking search from θ along `dir`: each writes θ + t·dir
 * into `next` and tells whether a cost there passes Armijo's test f_new ≤ f + c₁·t·slope (slope =
 * ∇f·dir < 0). The test allows rounding of f itself (|f|·1e-15), so a step near the minimizer is not
 * refused for noise.
 */
function* trialSteps(theta: Float64Array, f: number, slope: number, dir: Float64Array, next: Float64Array): Generator<{ t: number; passes: (fNew: number) => boolean }> {
  const slack = 1e-15 * Math.abs(f);
  for (let h = 0, t = 1; h <= MAX_HALVINGS; h++, t /= 2) {
    for (let j = 0; j < theta.length; j++) next[j] = theta[j] + t * dir[j];
    yield { t, passes: (fNew) => fNew <= f + ARMIJO * t * slope + slack };
  }
}

/** Finds the first trial step (see trialSteps) that decreases the cost enough; its gradient is in `grad`. null when none does. */
export function backtrack(evaluate: Objective, theta: Float64Array, f: number, slope: number, dir: Float64Array, next: Float64Array, grad: Float64Array): { t: number; f: number } | null {
  for (const step of trialSteps(theta, f, slope, dir, next)) {
    const fNew = evaluate(next, grad);
    if (step.passes(fNew)) return { t: step.t, f: fNew };
  }
  return null;
}

/** {@link backtrack} for L-BFGS, whose objective may be an ONNX Runtime session (asynchronous). */
export async function backtrackAsync(evaluate: AsyncObjective, theta: Float64Array, f: number, slope: number, dir: Float64Array, next: Float64Array, grad: Float64Array): Promise<{ t: number; f: number } | null> {
  for (const step of trialSteps(theta, f, slope, dir, next)) {
    const fNew = await evaluate(next, grad);
    if (step.passes(fNew)) return { t: step.t, f: fNew };
  }
  return null;
}
