/**
 * The error function in float64, composed from primitive ONNX ops: ONNX Runtime's CPU build has an
 * Erf kernel for float32 only, and a GELU network checked or trained against PyTorch in float64
 * needs erf to double precision (error below 1e-15 over the real line).
 */
import type { Value } from './graph.js';

/** Below this |x| the Taylor series is used; above it, the continued fraction of erfc. */
const SPLIT = 2;
/** Terms of the Taylor series: the 33rd term at |x| = 2 is 4^32/(32!·65) ≈ 7e-18. */
const TAYLOR_TERMS = 33;
/** Depth of the continued fraction: at z = 2 the remainder after 30 levels is below 1e-16 relative. */
const FRACTION_DEPTH = 30;

/**
 * erf(x) for float64 x, elementwise, as raw nodes (no gradient recorded: ops.erf records the exact
 * derivative 2/√π·exp(−x²) beside it).
 * - |x| ≤ 2: erf(x) = 2/√π · Σₙ (−1)ⁿ x^(2n+1)/(n!·(2n+1)), evaluated by Horner's rule in x².
 * - |x| > 2: erfc(z) = exp(−z²)/√π · 2z/(2z² + 1 − 1·2/(2z² + 5 − 3·4/(2z² + 9 − …))) (the even
 *   contraction of Laplace's continued fraction), erf(x) = sign(x)·(1 − erfc(|x|)).
 * Each branch sees its input clamped to its own range, so the branch not taken never overflows.
 */
export function erf64(x: Value): Value {
  const g = x.graph;
  const shape = x.shape;
  const node = (op: string, ins: Value[]) => g.node(op, ins, [{ dtype: 'float64', shape }])[0];
  const c = (v: number) => g.scalar(v, 'float64');

  const inner = node('Min', [node('Max', [x, c(-SPLIT)]), c(SPLIT)]);
  const inner2 = node('Mul', [inner, inner]);
  let series = c(taylorCoefficient(TAYLOR_TERMS - 1));
  for (let n = TAYLOR_TERMS - 2; n >= 0; n--) series = node('Add', [node('Mul', [series, inner2]), c(taylorCoefficient(n))]);
  const small = node('Mul', [inner, series]);

  const z = node('Max', [node('Abs', [x]), c(SPLIT)]);
  const twoZ2 = node('Mul', [node('Mul', [z, z]), c(2)]);
  let fraction = node('Add', [twoZ2, c(4 * FRACTION_DEPTH + 1)]);
  for (let n = FRACTION_DEPTH; n >= 1; n--) fraction = node('Sub', [node('Add', [twoZ2, c(4 * (n - 1) + 1)]), node('Div', [c((2 * n - 1) * 2 * n), fraction])]);
  const gauss = node('Exp', [node('Neg', [node('Mul', [z, z])])]);
  const erfc = node('Div', [node('Mul', [gauss, node('Mul', [z, c(2 / Math.sqrt(Math.PI))])]), fraction]);
  const large = node('Mul', [node('Sign', [x]), node('Sub', [c(1), erfc])]);

  const inside = g.node('LessOrEqual', [node('Abs', [x]), c(SPLIT)], [{ dtype: 'bool', shape }])[0];
  return g.node('Where', [inside, small, large], [{ dtype: 'float64', shape }])[0];
}

/** 2/√π · (−1)ⁿ/(n!·(2n+1)), the coefficient of x^(2n+1) in erf's Taylor series. */
function taylorCoefficient(n: number): number {
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return ((n % 2 === 0 ? 1 : -1) * 2) / Math.sqrt(Math.PI) / (factorial * (2 * n + 1));
}
