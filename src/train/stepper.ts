/** Runs a compiled step graph: keeps parameters and optimizer state as tensors fed back each run. */
import { CompiledGraph, defaultThreads, type Feeds } from '../engine/session.js';
import { floatArray, tensor, type FloatArray } from '../engine/tensor.js';
import type { ort } from '../engine/session.js';
import { paramShapes } from '../models/architecture.js';
import { isPenalized, paramDims, type ParamShape } from '../models/param-shape.js';
import { stateSlots } from '../plan/optimizer.js';
import { buildStepGraph, type StepGraphSpec } from './step-graph.js';
import { memberTensors } from './member-tensors.js';

/** One run's minibatches (U of them) and per-step values. */
export interface StepInputs {
  /** x.u: [B, d] rows, row-major. */
  x: FloatArray[];
  /** y.u: int64 labels [B] (softmax_ce) or float targets [B]. */
  y: (BigInt64Array | FloatArray)[];
  /** lr.u: one value per member (length K, or 1 for a single model). */
  lr: FloatArray[];
  /** w.u: per-member 0/1 sample weights [K·B], when the graph was built with sampleWeights. */
  w?: FloatArray[];
  /** keep.u.l: dropout keep-masks per hidden layer with dropout. */
  keep?: (FloatArray | undefined)[][];
}

export interface StepOutputs {
  /** Minibatch-mean data loss per step and member: [U][K]. */
  loss: Float64Array[];
  /** Σθ² of penalized parameters before each step, per member: [U][K] (when built with sumsqOutput). */
  sumsq: Float64Array[];
}

/** A parameter's optimizer state slots: none for BatchNorm's running statistics (see buildStepGraph). */
function slotsOf(p: ParamShape, spec: StepGraphSpec): string[] {
  return p.kind === 'running' ? [] : stateSlots(spec.optimizer);
}

/**
 * Runs a compiled step graph ({@link buildStepGraph}): holds each member's parameters and optimizer state as
 * ONNX Runtime tensors and feeds them back into every run, so one `session.run` is one (or several unrolled) steps.
 */
export class Stepper {
  /** Adam's step counter t (1-based at the first update). */
  private t = 0;
  /** Tensors wrapping the caller's reused buffers, made once: a run only refills the buffers. */
  private readonly wrapped = new WeakMap<object, ort.Tensor>();

  private constructor(
    readonly spec: StepGraphSpec,
    private readonly session: CompiledGraph,
    private params: ort.Tensor[],
    private state: ort.Tensor[][],
    private readonly coeffs: Feeds,
  ) {}

  /**
   * `members[k][i]` holds member k's parameter i (W0, b0, …) as float64; a single model passes one
   * member. `l2` / `decay` are the coupled and decoupled coefficients per member (see buildStepGraph).
   */
  static async create(spec: StepGraphSpec, members: Float64Array[][], l2: number[], decay: number[], threads?: number): Promise<Stepper> {
    const resolved = threads ?? defaultThreads();
    const session = await CompiledGraph.compile(buildStepGraph({ ...spec, threads: spec.threads ?? resolved }), { threads: resolved });
    const K = spec.population;
    const shapes = paramShapes(spec.arch);
    const dims = (i: number): number[] => paramDims(shapes[i], K);
    const params = memberTensors(spec.arch, spec.dtype, members, K);
    const state = shapes.map((p, i) => slotsOf(p, spec).map(() => tensor(floatArray(spec.dtype, p.size * members.length), dims(i))));
    const memberDims = K === undefined ? [] : [K];
    const coeffs: Feeds = {
      l2: tensor(floatArray(spec.dtype, l2), memberDims),
      decay: tensor(floatArray(spec.dtype, decay), memberDims),
    };
    // L2-SP: the starting parameters are the anchors θ₀ the penalty pulls toward, fed with every run.
    for (const [i, p] of shapes.entries()) {
      if (spec.decayToAnchor && isPenalized(p, spec.penalizeBiases === true)) coeffs[`${p.name}.anchor`] = tensor(floatArray(spec.dtype, params[i].data as FloatArray), dims(i));
    }
    return new Stepper(spec, session, params, state, coeffs);
  }

  /** Changes the penalty coefficients from the next run on (evidence-based λ updates during training). */
  setPenalty(l2: number[], decay: number[]): void {
    const memberDims = this.spec.population === undefined ? [] : [this.spec.population];
    this.coeffs.l2 = tensor(floatArray(this.spec.dtype, l2), memberDims);
    this.coeffs.decay = tensor(floatArray(this.spec.dtype, decay), memberDims);
  }

  async run(inputs: StepInputs): Promise<StepOutputs> {
    const { spec } = this;
    const K = spec.population;
    const memberDims = K === undefined ? [] : [K];
    const shapes = paramShapes(spec.arch);
    const feeds: Feeds = { ...this.coeffs };
    shapes.forEach((p, i) => {
      feeds[p.name] = this.params[i];
      slotsOf(p, spec).forEach((s, j) => (feeds[`${p.name}.${s}`] = this.state[i][j]));
    });
    const U = inputs.x.length;
    const B = spec.batch;
    const [b1, b2] = spec.optimizer.betas ?? [0.9, 0.999];
    const wrap = (data: FloatArray | BigInt64Array, dims: number[]): ort.Tensor => {
      let t = this.wrapped.get(data);
      if (!t) this.wrapped.set(data, (t = tensor(data, dims)));
      return t;
    };
    for (let u = 0; u < U; u++) {
      feeds[`x.${u}`] = wrap(inputs.x[u], [B, spec.arch.widths[0]]);
      const y = inputs.y[u];
      feeds[`y.${u}`] = wrap(y, y instanceof BigInt64Array ? [B] : [B, 1]);
      feeds[`lr.${u}`] = wrap(inputs.lr[u], memberDims);
      if (inputs.w) feeds[`w.${u}`] = wrap(inputs.w[u], [...memberDims, B]);
      inputs.keep?.[u]?.forEach((m, l) => {
        if (m) feeds[`keep.${u}.${l}`] = wrap(m, [...memberDims, B, spec.arch.widths[l + 1]]);
      });
      if (spec.optimizer.name === 'adam' || spec.optimizer.name === 'adamw') {
        const t = ++this.t;
        feeds[`bc1.${u}`] = tensor(floatArray(spec.dtype, [1 / (1 - b1 ** t)]), []);
        feeds[`bc2.${u}`] = tensor(floatArray(spec.dtype, [1 / Math.sqrt(1 - b2 ** t)]), []);
      }
    }
    const out = await this.session.run(feeds);
    this.params = shapes.map((p) => out[`${p.name}.next`]);
    this.state = shapes.map((p) => slotsOf(p, spec).map((s) => out[`${p.name}.${s}.next`]));
    const read = (name: string) => Float64Array.from(out[name].data as FloatArray);
    return {
      loss: Array.from({ length: U }, (_, u) => read(`loss.${u}`)),
      sumsq: (spec.sumsqOutput ?? true) ? Array.from({ length: U }, (_, u) => read(`sumsq.${u}`)) : [],
    };
  }

  /** Current parameters as float64 arrays: [member][param]. */
  parameters(): Float64Array[][] {
    const members = this.spec.population ?? 1;
    const shapes = paramShapes(this.spec.arch);
    return Array.from({ length: members }, (_, k) =>
      shapes.map((p, i) => Float64Array.from((this.params[i].data as FloatArray).subarray(k * p.size, (k + 1) * p.size))),
    );
  }

  /**
   * Adam only: per member, the median over the penalized weights of √v̂ + ε, the denominator Adam
   * divides a coupled penalty gradient by (v̂ = s/(1 − β2ᵗ)). For lambdaTimescaleEpochs.
   */
  adamDenominators(): number[] {
    const members = this.spec.population ?? 1;
    const shapes = paramShapes(this.spec.arch);
    const beta2 = this.spec.optimizer.betas?.[1] ?? 0.999;
    const eps = this.spec.optimizer.eps ?? 1e-8;
    const correction = this.t > 0 ? 1 / Math.sqrt(1 - beta2 ** this.t) : 1;
    return Array.from({ length: members }, (_, k) => {
      const values: number[] = [];
      shapes.forEach((p, i) => {
        // The step graph's own rule: BatchNorm's running statistics (no optimizer state) and, by default, biases, scales and shifts are not penalized.
        if (!isPenalized(p, this.spec.penalizeBiases === true)) return;
        const s = (this.state[i][1].data as FloatArray).subarray(k * p.size, (k + 1) * p.size);
        for (const v of s) values.push(Math.sqrt(v) * correction + eps);
      });
      values.sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)];
    });
  }

  /** Raw parameter tensors (for evaluation graphs that take the same layout). */
  parameterTensors(): ort.Tensor[] {
    return this.params;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
