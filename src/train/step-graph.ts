/**
 * One training step as one ONNX graph: forward, the L2-regularized cost, backward and the optimizer
 * update, for one model or a population of K members, optionally unrolled over U minibatches.
 */
import { DEFAULTS } from '../options/defaults.js';
import { grad } from '../graph/autodiff.js';
import { Graph, type FloatDType, type Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { paramShapes, stacksMembers, type Architecture } from '../models/architecture.js';
import { isPenalized, paramDims } from '../models/param-shape.js';
import { forwardModel } from '../models/forward.js';
import { ShapeError } from '../errors.js';
import { perSampleLoss } from '../models/losses.js';
import { stateSlots, type OptimizerSpec } from '../plan/optimizer.js';

export interface StepGraphSpec {
  arch: Architecture;
  /** Minibatch size B (static: the graph is built for it). */
  batch: number;
  dtype: FloatDType;
  /** Population size K; undefined = one model with rank-2 weights (fused Gemm kernels). */
  population?: number;
  optimizer: OptimizerSpec;
  /** Minibatches per run (saves ORT's fixed per-run cost). Default 1. */
  unroll?: number;
  /** Output Σθ² of the penalized parameters before each step (`sumsq.u`). Default true. */
  sumsqOutput?: boolean;
  /** Penalize biases too. Default false (the seed's cost penalizes weights only). */
  penalizeBiases?: boolean;
  /** Per-member 0/1 sample weights `w.u` [K, B] (k-fold members train on different rows). Default false. */
  sampleWeights?: boolean;
  /**
   * Penalize the distance from an anchor, ‖θ − θ₀‖², instead of ‖θ‖² (L2-SP, Li et al. 2018: fine-tuning
   * stays near the starting weights). The anchors θ₀ are inputs `<param>.anchor`. Default false.
   */
  decayToAnchor?: boolean;
  /** Intra-op threads the step will run on, when known: picks the kernels that suit them (CNN input gradients). */
  threads?: number;
}

/**
 * Feeds: parameters `W0, b0, …` (single: [in, out], [out]; population: [K, in, out], [K, 1, out]),
 * optimizer state `W0.v` / `W0.m`, `W0.s`, and per step u: `x.u` [B, d], `y.u` (int64 labels [B]
 * for softmax_ce, float [B, 1] otherwise), `lr.u` ([K] or []), `keep.u.l` dropout keep-masks,
 * `w.u` sample weights, `bc1.u`/`bc2.u` Adam bias corrections 1/(1−β1ᵗ) and 1/√(1−β2ᵗ); once per
 * run: `l2` (coupled coefficient c: the gradient gets + c·θ; the seed's c = λ/m) and `decay`
 * (decoupled coefficient d: θ ← θ − lr·d·θ), each [K] or []; with decayToAnchor, `<param>.anchor`
 * (θ₀: the penalty acts on θ − θ₀).
 * Outputs: `<param>.next`, `<state>.next`, `loss.u` (minibatch-mean data loss) and `sumsq.u`.
 */
export function buildStepGraph(spec: StepGraphSpec): Graph {
  const { arch, batch: B, dtype } = spec;
  const K = spec.population;
  const U = spec.unroll ?? 1;
  const g = new Graph('l2lab_train_step');
  const memberShape = K === undefined ? [] : [K];
  const shapes = paramShapes(arch);
  const slots = stateSlots(spec.optimizer);
  const sgd = spec.optimizer.name === 'sgd';
  if (!stacksMembers(arch) && K !== undefined) throw new ShapeError(`A model with convolutions, pooling or BatchNorm trains one member per graph (population K = ${K} requested): run the members one after another.`);
  /** BatchNorm's running statistics are updated by the forward pass, not by a gradient: no optimizer state. */
  const learnable = (i: number) => shapes[i].kind !== 'running';

  let params = shapes.map((p) => g.input(p.name, dtype, paramDims(p, K)));
  let state = shapes.map((p, i) => (learnable(i) ? slots : []).map((s) => g.input(`${p.name}.${s}`, dtype, params[i].shape)));
  const anchors = shapes.map((p, i) => (spec.decayToAnchor && isPenalized(p, spec.penalizeBiases === true) ? g.input(`${p.name}.anchor`, dtype, params[i].shape) : undefined));
  /** What the penalty pulls on: θ, or θ − θ₀ under L2-SP. */
  const pulled = (p: Value, i: number): Value => (anchors[i] ? g.node('Sub', [p, anchors[i]!], [{ dtype, shape: p.shape }])[0] : p);
  const l2 = g.input('l2', dtype, memberShape);
  const decay = g.input('decay', dtype, memberShape);
  /** Per-member scalars [K] broadcast against [K, …] tensors. */
  const perMember = (v: Value, rank: number): Value => (K === undefined ? v : op.reshape(v, [K, ...new Array<number>(rank - 1).fill(1)]));
  const penalized = (i: number) => isPenalized(shapes[i], spec.penalizeBiases === true);

  for (let u = 0; u < U; u++) {
    const x = g.input(`x.${u}`, dtype, [B, arch.widths[0]]);
    const target = arch.loss === 'softmax_ce' ? op.oneHot(g.input(`y.${u}`, 'int64', [B]), arch.widths[arch.widths.length - 1], dtype) : g.input(`y.${u}`, dtype, [B, 1]);
    const lr = g.input(`lr.${u}`, dtype, memberShape);
    const adam = spec.optimizer.name === 'adam' || spec.optimizer.name === 'adamw';
    const bc1 = adam ? g.input(`bc1.${u}`, dtype, []) : undefined;
    const bc2 = adam ? g.input(`bc2.${u}`, dtype, []) : undefined;
    const keep = arch.dropout.map((p, l) => (p > 0 ? g.input(`keep.${u}.${l}`, dtype, [...memberShape, B, arch.widths[l + 1]]) : undefined));

    if (spec.sumsqOutput ?? true) {
      const parts = params.flatMap((p, i) => (penalized(i) ? [pulled(p, i)] : [])).map((p) => g.node('ReduceSumSquare', [p, g.ints(K === undefined ? [...p.shape.keys()] : [...p.shape.keys()].slice(1))], [{ dtype, shape: memberShape }], { keepdims: 0 })[0]);
      const total = parts.reduce((a, b) => g.node('Add', [a, b], [{ dtype, shape: memberShape }])[0]);
      g.output(total, `sumsq.${u}`);
    }

    const { logits, running } = forwardModel(arch, x, params, { training: true, keepMasks: keep, threads: spec.threads });
    const perSample = perSampleLoss(arch.loss, logits, target);
    const loss = spec.sampleWeights ? weightedMean(g, dtype, perSample, g.input(`w.${u}`, dtype, [...memberShape, B]), memberShape) : op.reduceMean(perSample, [-1]);

    // SGD: seed the backward pass with −lr so each gradient is already the step, and fold
    // θ·(1 − lr·(c + d)) into the Gemm that produces the weight gradient.
    const seed = sgd ? op.neg(lr) : g.constant(new Array<number>(K ?? 1).fill(1), memberShape, dtype);
    const trained = params.filter((_, i) => learnable(i));
    const trainedGrads = grad(loss, trained, seed);
    const grads = params.map((p) => trainedGrads[trained.indexOf(p)]);
    const nextParams: Value[] = [];
    const nextState: Value[][] = [];
    params.forEach((p, i) => {
      if (!learnable(i)) {
        nextParams.push(running.get(i)!);
        nextState.push([]);
        return;
      }
      const rank = p.shape.length;
      const rule: ParamRule = {
        g, dtype, p,
        grad: grads[i],
        lr: perMember(lr, rank),
        c: penalized(i) ? perMember(l2, rank) : undefined,
        d: penalized(i) ? perMember(decay, rank) : undefined,
        anchor: anchors[i],
        pulled: () => pulled(p, i),
      };
      const next = sgd ? { param: sgdUpdate(rule), state: [] } : adaptiveUpdate(rule, spec.optimizer, state[i], bc1, bc2);
      nextParams.push(next.param);
      nextState.push(next.state);
    });
    g.output(loss, `loss.${u}`);
    params = nextParams;
    state = nextState;
  }
  params.forEach((p, i) => g.output(p, `${shapes[i].name}.next`));
  state.forEach((s, i) => s.forEach((v, j) => g.output(v, `${shapes[i].name}.${slots[j]}.next`)));
  return g;
}

/** A member's minibatch loss over the rows it trains on: Σ w·loss / max(Σ w, 1) with 0/1 sample weights w. */
function weightedMean(g: Graph, dtype: FloatDType, perSample: Value, w: Value, memberShape: number[]): Value {
  const count = g.node('Max', [op.reduceSum(w, [-1]), g.scalar(1, dtype)], [{ dtype, shape: memberShape }])[0];
  return op.div(op.reduceSum(op.mul(perSample, w), [-1]), count);
}

/** One learnable tensor's update inputs: θ, its gradient, the per-member lr and penalty coefficients (c coupled, d decoupled; none when unpenalized), and its anchor. */
interface ParamRule {
  g: Graph;
  dtype: FloatDType;
  p: Value;
  grad: Value;
  lr: Value;
  c: Value | undefined;
  d: Value | undefined;
  anchor: Value | undefined;
  /** What the penalty pulls on: θ, or θ − θ₀ under L2-SP (a new node at each call). */
  pulled: () => Value;
}

/** SGD: the gradient is already −lr·∇ (the backward pass was seeded with −lr); θ·(1 − lr·(c + d)) folds into the Gemm that produces it. */
function sgdUpdate(r: ParamRule): Value {
  const { g, dtype, p, c, d } = r;
  const shrink = c && d ? g.node('Sub', [g.scalar(1, dtype), g.node('Mul', [r.lr, g.node('Add', [c, d], [{ dtype, shape: c.shape }])[0]], [{ dtype, shape: c.shape }])[0]], [{ dtype, shape: c.shape }])[0] : undefined;
  // θ·s, or under L2-SP θ₀ + (θ − θ₀)·s: the penalty shrinks the distance from the anchor.
  const shrunk = shrink ? g.node('Mul', [r.pulled(), shrink], [{ dtype, shape: p.shape }])[0] : undefined;
  const base = !shrunk ? p : r.anchor ? g.node('Add', [r.anchor, shrunk], [{ dtype, shape: p.shape }])[0] : shrunk;
  return g.addIntoGemm(r.grad, base);
}

/** Momentum, Nesterov, Adam and AdamW: the coupled penalty joins the gradient, the decoupled one shrinks θ; returns θ and the optimizer state after the step. */
function adaptiveUpdate(r: ParamRule, o: OptimizerSpec, state: Value[], bc1: Value | undefined, bc2: Value | undefined): { param: Value; state: Value[] } {
  const { g, dtype, p, c, d } = r;
  const raw = (opName: string, a: Value, b: Value) => g.node(opName, [a, b], [{ dtype, shape: op.broadcastShapes(opName, [a, b]) }])[0];
  const gFull = c ? raw('Add', r.grad, raw('Mul', c, r.pulled())) : r.grad;
  const kept = d ? raw('Mul', r.pulled(), raw('Sub', g.scalar(1, dtype), raw('Mul', r.lr, d))) : undefined;
  const decayed = !kept ? p : r.anchor ? raw('Add', r.anchor, kept) : kept;
  if (o.name === 'momentum' || o.name === 'nesterov') {
    const mu = g.scalar(o.momentum ?? DEFAULTS.momentum, dtype);
    const v = raw('Add', raw('Mul', state[0], mu), gFull);
    const dir = o.name === 'nesterov' ? raw('Add', gFull, raw('Mul', v, mu)) : v;
    return { param: raw('Sub', decayed, raw('Mul', dir, r.lr)), state: [v] };
  }
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const m = raw('Add', raw('Mul', state[0], g.scalar(b1, dtype)), raw('Mul', gFull, g.scalar(1 - b1, dtype)));
  const s = raw('Add', raw('Mul', state[1], g.scalar(b2, dtype)), raw('Mul', raw('Mul', gFull, gFull), g.scalar(1 - b2, dtype)));
  const denom = raw('Add', raw('Mul', g.node('Sqrt', [s], [{ dtype, shape: s.shape }])[0], bc2!), g.scalar(o.eps ?? 1e-8, dtype));
  const stepSize = raw('Mul', r.lr, bc1!);
  return { param: raw('Sub', decayed, raw('Mul', raw('Div', m, denom), stepSize)), state: [m, s] };
}
