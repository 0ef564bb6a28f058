/**
 * The MAP of binary logistic or softmax regression at one λ, for the Laplace evidence: the problem
 * validated once in float64, the NLL's derivatives and the damped Newton fit, both from the exact
 * solvers (src/solvers: the seed's cost and Hessian, scaled by n).
 */
import { InvalidDataError, InvalidOptionError } from '../../errors.js';
import { checkDesign } from '../../linalg/design.js';
import { cost, hessian, paramCount, type GlmProblem } from '../../solvers/glm.js';
import { newton } from '../../solvers/newton.js';

/** Options of {@link logisticProblem} and evidenceLogistic. */
export interface LogisticProblemOptions {
  /** Number of classes C, an integer in [2, ∞) (default: largest label + 1). C = 2 is binary logistic regression (one weight vector); C > 2 is softmax with C weight columns, as scikit-learn's multinomial LogisticRegression. */
  classes?: number;
  /** Fit unpenalized biases with a flat prior (default `true`). */
  fitIntercept?: boolean;
}

/** A validated classification problem in float64, shared by the MAP fit and the Laplace evidence. */
export interface LogisticProblem {
  n: number;
  d: number;
  classes: number;
  /** Logit columns K: 1 for binary (sigmoid), C for softmax. */
  k: number;
  fitIntercept: boolean;
  /** Features, row-major n×d. */
  x: Float64Array;
  labels: Int32Array;
  /** Number of penalized weights P_w = d·K. */
  weightCount: number;
  /** Length of θ: d·K weights then K biases (when fitted). */
  paramCount: number;
}

/** The MAP fit at one λ. θ = [W (d×K row-major: θ[j·K + c]), b (K)]. */
export interface LogisticMap {
  lambda: number;
  theta: Float64Array;
  /** Σᵢ −log p(yᵢ | xᵢ, θ) at the MAP. */
  nll: number;
  /** Max-norm of the gradient of the penalized objective at the returned θ. */
  gradMax: number;
  newtonSteps: number;
}

/** The public function whose errors these are. */
export const OWNER = 'evidenceLogistic';

/** Validates features and labels once; the result feeds {@link fitLogisticMap} and the Laplace evidence (laplaceEvidence in logistic.ts). */
export function logisticProblem(
  x: Float64Array | Float32Array,
  labels: ArrayLike<number>,
  options: LogisticProblemOptions = {},
): LogisticProblem {
  const fitIntercept = options.fitIntercept ?? true;
  if (typeof fitIntercept !== 'boolean') {
    throw new InvalidOptionError(`The 'fitIntercept' option of ${OWNER} must be a boolean. Got ${String(fitIntercept)} instead.`);
  }
  const { n, d, x: x64 } = checkDesign(x, labels.length, OWNER, 2);
  const lab = new Int32Array(n);
  let maxLabel = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!(Number.isInteger(v) && v >= 0)) throw new InvalidDataError(`${OWNER}: labels[${i}] is ${v}; labels must be class indices 0, 1, …, C − 1.`);
    lab[i] = v;
    maxLabel = Math.max(maxLabel, v);
  }
  const classes = options.classes ?? maxLabel + 1;
  if (!(Number.isInteger(classes) && classes >= 2)) {
    throw new InvalidOptionError(`The 'classes' option of ${OWNER} must be an integer in [2, ∞). Got ${String(options.classes ?? classes)} instead.`);
  }
  if (maxLabel >= classes) throw new InvalidDataError(`${OWNER}: label ${maxLabel} is out of range for classes = ${classes}; pass classes ≥ ${maxLabel + 1}.`);
  const k = classes === 2 ? 1 : classes;
  const weightCount = d * k;
  return { n, d, classes, k, fitIntercept, x: x64, labels: lab, weightCount, paramCount: weightCount + (fitIntercept ? k : 0) };
}

/** Convergence of the MAP fit: ‖∇‖∞ of the solvers' mean cost ≤ this (n times it on the summed objective). */
const MAP_TOL = 1e-14;

/**
 * The problem as the exact solvers state it (src/solvers): the seed cost (1/n)·Σ loss + (rate/2)·‖W‖²
 * with rate = λ/n, so n times it is this module's objective. Its θ always ends with the K biases.
 */
function glmProblem(p: LogisticProblem, lambda: number): GlmProblem {
  return { x: p.x, n: p.n, d: p.d, k: p.k, loss: p.k === 1 ? 'logistic' : 'softmax_ce', y: p.labels, rate: lambda / p.n };
}

/** θ in the solvers' layout: the biases held at 0 appended when the problem fits none. */
function solverTheta(p: LogisticProblem, theta: Float64Array): Float64Array {
  if (p.fitIntercept) return theta;
  const full = new Float64Array(p.weightCount + p.k);
  full.set(theta.subarray(0, p.weightCount));
  return full;
}

/**
 * NLL, its gradient and (optionally) its Hessian H = Σᵢ φᵢφᵢᵀ ⊗ (diag pᵢ − pᵢpᵢᵀ) over θ, with
 * φᵢ = [xᵢ, 1] (the 1 only with intercept); binary: σ(1 − σ)·φφᵀ. The solvers' cost and Hessian at
 * rate 0, times n.
 */
export function logisticDerivatives(
  p: LogisticProblem,
  theta: Float64Array,
  withHessian: boolean,
): { nll: number; grad: Float64Array; hess: Float64Array | null } {
  const g = glmProblem(p, 0);
  const full = solverTheta(p, theta);
  const dim = paramCount(g);
  const P = p.paramCount;
  const fullGrad = new Float64Array(dim);
  const nll = p.n * cost(g, full, fullGrad);
  const grad = new Float64Array(P);
  for (let t = 0; t < P; t++) grad[t] = p.n * fullGrad[t];
  if (!withHessian) return { nll, grad, hess: null };
  // The biases come last, so without them the Hessian is the leading P×P block.
  const h = hessian(g, full);
  const hess = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) hess[a * P + b] = p.n * h[a * dim + b];
  return { nll, grad, hess };
}

/**
 * MAP of logistic/softmax regression at one λ by the exact solvers' damped Newton (IRLS) in float64:
 *
 *     minimize over W, b:  Σᵢ −log p(yᵢ | xᵢ; W, b) + (λ/2)·‖W‖²_F      (b not penalized)
 *
 * = scikit-learn `LogisticRegression(C = 1/λ)` (binary, or `multi_class='multinomial'` with C
 * weight columns). Softmax biases are only defined up to a common shift; from θ = 0 (or a warm
 * start with Σ_c b_c = 0) Newton's steps keep Σ_c b_c = 0 (scikit-learn's lbfgs iterates stay there too).
 */
export function fitLogisticMap(p: LogisticProblem, lambda: number, warm?: Float64Array, maxSteps = 100): LogisticMap {
  const g = glmProblem(p, lambda);
  const held = p.fitIntercept ? [] : Array.from({ length: p.k }, (_, c) => p.weightCount + c);
  const r = newton(g, solverTheta(p, warm ?? new Float64Array(p.paramCount)), { tol: MAP_TOL, maxIterations: maxSteps }, 0, { held });
  const theta = r.theta.slice(0, p.paramCount);
  const { nll, grad } = logisticDerivatives(p, theta, false);
  let gradMax = 0;
  for (let t = 0; t < p.paramCount; t++) gradMax = Math.max(gradMax, Math.abs(grad[t] + (t < p.weightCount ? lambda * theta[t] : 0)));
  return { lambda, theta, nll, gradMax, newtonSteps: r.iterations };
}
