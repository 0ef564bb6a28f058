/** The seed's cost of a linear model (linear, logistic, softmax) in float64: value, gradient, dense Hessian and per-row outputs. */
import type { LossKind } from '../models/architecture.js';

/**
 * One convex problem: minimize (1/m)·Σᵢ loss(xᵢ·W + b, yᵢ) + (rate/2)·Σ W², biases unpenalized.
 * With the seed convention rate = λ/m. The parameter vector θ is W (d×k, row-major, as the
 * engine's W0 [fanIn, fanOut]) followed by b (k): index a·k + c, where a = d is the bias "feature".
 */
export interface GlmProblem {
  /** Standardized rows, row-major n×d. */
  x: Float64Array;
  n: number;
  d: number;
  /** Outputs: 1 for linear and logistic, the number of classes for softmax. */
  k: number;
  loss: LossKind;
  /** Regression targets (mse), 0/1 labels (logistic) or class indices (softmax_ce). */
  y: Float64Array | Int32Array;
  /** Per-weight penalty coefficient: the penalty is (rate/2)·Σ W². */
  rate: number;
}

export function paramCount(p: GlmProblem): number {
  return (p.d + 1) * p.k;
}

/** Logits z = x·W + b of row i into `z` (length k). */
function logits(p: GlmProblem, theta: Float64Array, i: number, z: Float64Array): void {
  const { x, d, k } = p;
  const row = i * d;
  for (let c = 0; c < k; c++) z[c] = theta[d * k + c];
  for (let a = 0; a < d; a++) {
    const xa = x[row + a];
    if (xa === 0) continue;
    const off = a * k;
    for (let c = 0; c < k; c++) z[c] += xa * theta[off + c];
  }
}

/**
 * Loss of one row given its logits; writes dloss/dz into `r` and, for softmax, the probabilities
 * into `prob` (the curvature needs them).
 */
function rowLoss(p: GlmProblem, i: number, z: Float64Array, r: Float64Array, prob?: Float64Array): number {
  switch (p.loss) {
    case 'mse': {
      const e = z[0] - p.y[i];
      r[0] = e;
      return 0.5 * e * e;
    }
    case 'logistic': {
      const t = p.y[i];
      const v = z[0];
      // softplus(v) − t·v, stable for large |v|; σ(v) without overflow.
      const ex = Math.exp(-Math.abs(v));
      r[0] = (v >= 0 ? 1 / (1 + ex) : ex / (1 + ex)) - t;
      return Math.max(v, 0) + Math.log1p(ex) - t * v;
    }
    case 'softmax_ce':
      return softmaxRow(p.k, z, p.y[i], r, prob);
  }
}

/** rowLoss for softmax_ce, each exponential computed once: log Σ e^z − z_label, p − onehot into r, p into `prob` when given. */
function softmaxRow(k: number, z: Float64Array, label: number, r: Float64Array, prob?: Float64Array): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
  let s = 0;
  for (let c = 0; c < k; c++) s += r[c] = Math.exp(z[c] - max);
  for (let c = 0; c < k; c++) r[c] /= s;
  if (prob) for (let c = 0; c < k; c++) prob[c] = r[c];
  r[label] -= 1;
  return max + Math.log(s) - z[label];
}

/** X's nonzero entries by row (compressed sparse rows), for {@link cost}. */
interface SparseRows {
  /** Row i's entries are start[i] … start[i+1] − 1. */
  start: Int32Array;
  /** Each entry's feature index a, premultiplied by k: its weights are θ[a·k … a·k + k − 1]. */
  offset: Int32Array;
  value: Float64Array;
  /** The outputs k the offsets were premultiplied by, and the row width d: a problem sharing x with another shape gets its own copy. */
  k: number;
  d: number;
}

/** Sparse copies of problems' x (keyed by the row-major array), built once per problem. */
const sparse = new WeakMap<Float64Array, SparseRows>();

function sparseRows(p: GlmProblem): SparseRows {
  let s = sparse.get(p.x);
  if (!s || s.k !== p.k || s.d !== p.d) {
    const { x, n, d, k } = p;
    let nnz = 0;
    for (let j = 0; j < n * d; j++) if (x[j] !== 0) nnz++;
    s = { start: new Int32Array(n + 1), offset: new Int32Array(nnz), value: new Float64Array(nnz), k, d };
    let q = 0;
    for (let i = 0; i < n; i++) {
      s.start[i] = q;
      for (let a = 0; a < d; a++) {
        const v = x[i * d + a];
        if (v === 0) continue;
        s.offset[q] = a * k;
        s.value[q++] = v;
      }
    }
    s.start[n] = q;
    sparse.set(p.x, s);
  }
  return s;
}

/**
 * Cost at θ; when `grad` is given it receives ∇cost. The hot loop of L-BFGS: it walks X's nonzero
 * entries only (images are mostly zero pixels: 81% of MNIST's), each touching the k contiguous
 * weights of its feature, so one evaluation costs O(nnz·k), not O(n·d·k).
 */
export function cost(p: GlmProblem, theta: Float64Array, grad?: Float64Array): number {
  if (p.k === 1) return costSingle(p, theta, grad);
  const { n, d, k } = p;
  const { start, offset, value } = sparseRows(p);
  const z = new Float64Array(k);
  const r = new Float64Array(k);
  const bias = d * k;
  if (grad) grad.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const end = start[i + 1];
    for (let c = 0; c < k; c++) z[c] = theta[bias + c];
    for (let q = start[i]; q < end; q++) {
      const off = offset[q];
      const v = value[q];
      for (let c = 0; c < k; c++) z[c] += v * theta[off + c];
    }
    total += rowLoss(p, i, z, r);
    if (!grad) continue;
    for (let q = start[i]; q < end; q++) {
      const off = offset[q];
      const v = value[q];
      for (let c = 0; c < k; c++) grad[off + c] += v * r[c];
    }
    for (let c = 0; c < k; c++) grad[bias + c] += r[c];
  }
  let sq = 0;
  for (let j = 0; j < d * k; j++) sq += theta[j] * theta[j];
  if (grad) {
    for (let j = 0; j < grad.length; j++) grad[j] /= n;
    for (let j = 0; j < d * k; j++) grad[j] += p.rate * theta[j];
  }
  return total / n + 0.5 * p.rate * sq;
}

/**
 * {@link cost} with one output (linear, logistic): the same walk over the nonzeros with the loss
 * inlined and no loop over outputs, since Newton's path solves spend most of their time here.
 */
function costSingle(p: GlmProblem, theta: Float64Array, grad?: Float64Array): number {
  const { n, d, x, y } = p;
  const { start, offset, value } = sparseRows(p);
  // Mostly nonzero rows (standardized tables) are read in place: no index per entry.
  const dense = 2 * start[n] > n * d;
  const logistic = p.loss === 'logistic';
  const b = theta[d];
  if (grad) grad.fill(0);
  let total = 0;
  let rb = 0;
  for (let i = 0; i < n; i++) {
    const end = start[i + 1];
    let z = b;
    if (dense) for (let a = 0, row = i * d; a < d; a++) z += x[row + a] * theta[a];
    else for (let q = start[i]; q < end; q++) z += value[q] * theta[offset[q]];
    let r: number;
    if (logistic) {
      // softplus(z) − t·z and σ(z) − t, stable for large |z|.
      const ex = Math.exp(-Math.abs(z));
      r = (z >= 0 ? 1 / (1 + ex) : ex / (1 + ex)) - y[i];
      total += Math.max(z, 0) + Math.log1p(ex) - y[i] * z;
    } else {
      r = z - y[i];
      total += 0.5 * r * r;
    }
    if (!grad) continue;
    if (dense) for (let a = 0, row = i * d; a < d; a++) grad[a] += x[row + a] * r;
    else for (let q = start[i]; q < end; q++) grad[offset[q]] += value[q] * r;
    rb += r;
  }
  let sq = 0;
  for (let j = 0; j < d; j++) sq += theta[j] * theta[j];
  if (grad) {
    grad[d] = rb;
    for (let j = 0; j <= d; j++) grad[j] /= n;
    for (let j = 0; j < d; j++) grad[j] += p.rate * theta[j];
  }
  return total / n + 0.5 * p.rate * sq;
}

/**
 * Dense Hessian of the cost at θ (p×p, row-major): (1/m)·Σᵢ x̃ᵢx̃ᵢᵀ ⊗ Sᵢ + rate·I on the weights,
 * with x̃ = [x, 1] and Sᵢ the loss's curvature in z (1, σ(1−σ), or diag(p) − ppᵀ).
 */
export function hessian(p: GlmProblem, theta: Float64Array): Float64Array {
  if (p.k === 1) return hessianSingle(p, theta);
  const { x, n, d, k } = p;
  const dim = (d + 1) * k;
  const h = new Float64Array(dim * dim);
  const z = new Float64Array(k);
  const r = new Float64Array(k);
  const prob = new Float64Array(k);
  const s = new Float64Array(k * k);
  const xt = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    logits(p, theta, i, z);
    rowLoss(p, i, z, r, prob);
    if (p.loss === 'mse') s[0] = 1;
    else if (p.loss === 'logistic') {
      const sig = r[0] + p.y[i];
      s[0] = sig * (1 - sig);
    } else {
      for (let c = 0; c < k; c++) for (let e = 0; e < k; e++) s[c * k + e] = (c === e ? prob[c] : 0) - prob[c] * prob[e];
    }
    for (let a = 0; a < d; a++) xt[a] = x[i * d + a];
    xt[d] = 1;

    // Upper block triangle a ≤ b only; mirrored below.
    for (let a = 0; a <= d; a++) {
      const xa = xt[a];
      if (xa === 0) continue;
      for (let b = a; b <= d; b++) {
        const w = xa * xt[b];
        if (w === 0) continue;
        for (let c = 0; c < k; c++) {
          const base = (a * k + c) * dim + b * k;
          for (let e = 0; e < k; e++) h[base + e] += w * s[c * k + e];
        }
      }
    }
  }
  // Diagonal blocks (a = b) are already full and symmetric (S is); off-diagonal ones are mirrored.
  for (let a = 0; a <= d; a++) {
    for (let b = a; b <= d; b++) {
      for (let c = 0; c < k; c++) {
        for (let e = 0; e < k; e++) {
          const v = h[(a * k + c) * dim + b * k + e] / n;
          h[(a * k + c) * dim + b * k + e] = v;
          if (b > a) h[(b * k + e) * dim + a * k + c] = v;
        }
      }
    }
  }
  for (let j = 0; j < d * k; j++) h[j * dim + j] += p.rate;
  return h;
}

/** Column-major copies of problems' x (keyed by the row-major array), for {@link hessianSingle}. */
const columns = new WeakMap<Float64Array, Float64Array>();

function columnMajor(p: GlmProblem): Float64Array {
  let c = columns.get(p.x);
  if (!c) {
    c = new Float64Array(p.n * p.d);
    for (let i = 0; i < p.n; i++) for (let a = 0; a < p.d; a++) c[a * p.n + i] = p.x[i * p.d + a];
    columns.set(p.x, c);
  }
  return c;
}

/**
 * The Hessian with one output (linear, logistic), the hot loop of Newton: H = X̃ᵀ·diag(s)·X̃/m as
 * dot products of columns, so each entry accumulates in a register rather than in memory.
 */
function hessianSingle(p: GlmProblem, theta: Float64Array): Float64Array {
  const { n, d } = p;
  const dim = d + 1;
  const cols = columnMajor(p);
  // The loss's curvature per row: 1 (mse) or σ(z)(1 − σ(z)), z = x·W + b accumulated column by column.
  const s = new Float64Array(n).fill(theta[d]);
  if (p.loss === 'mse') s.fill(1);
  else {
    for (let a = 0; a < d; a++) {
      const w = theta[a];
      const oa = a * n;
      for (let i = 0; i < n; i++) s[i] += w * cols[oa + i];
    }
    for (let i = 0; i < n; i++) {
      const sig = 1 / (1 + Math.exp(-s[i]));
      s[i] = sig * (1 - sig);
    }
  }
  const h = new Float64Array(dim * dim);
  const ws = new Float64Array(n);
  for (let a = 0; a <= d; a++) {
    const oa = a * n;
    for (let i = 0; i < n; i++) ws[i] = a < d ? s[i] * cols[oa + i] : s[i];
    // Four columns per sweep of ws: one load of ws[i] feeds four accumulators.
    let b = a;
    for (; b + 3 < d; b += 4) {
      const [o0, o1, o2, o3] = [b * n, (b + 1) * n, (b + 2) * n, (b + 3) * n];
      let [s0, s1, s2, s3] = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) {
        const w = ws[i];
        s0 += w * cols[o0 + i];
        s1 += w * cols[o1 + i];
        s2 += w * cols[o2 + i];
        s3 += w * cols[o3 + i];
      }
      h[a * dim + b] = h[b * dim + a] = s0 / n;
      h[a * dim + b + 1] = h[(b + 1) * dim + a] = s1 / n;
      h[a * dim + b + 2] = h[(b + 2) * dim + a] = s2 / n;
      h[a * dim + b + 3] = h[(b + 3) * dim + a] = s3 / n;
    }
    for (; b <= d; b++) {
      let acc = 0;
      if (b < d) {
        const ob = b * n;
        for (let i = 0; i < n; i++) acc += ws[i] * cols[ob + i];
      } else for (let i = 0; i < n; i++) acc += ws[i];
      h[a * dim + b] = h[b * dim + a] = acc / n;
    }
  }
  for (let j = 0; j < d; j++) h[j * dim + j] += p.rate;
  return h;
}

/** Per-row loss and logits (row-major n×k) at θ, for scoring rows the model did not train on. */
export function rowOutputs(p: GlmProblem, theta: Float64Array): { loss: Float64Array; logits: Float64Array } {
  const { n, k } = p;
  const loss = new Float64Array(n);
  const out = new Float64Array(n * k);
  const z = new Float64Array(k);
  const r = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    logits(p, theta, i, z);
    loss[i] = rowLoss(p, i, z, r);
    out.set(z, i * k);
  }
  return { loss, logits: out };
}
