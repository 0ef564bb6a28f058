/** Compiles a graph once into an ONNX Runtime session and runs it many times with little overhead. */
import os from 'node:os';
import ort from 'onnxruntime-node';
import type { Graph } from '../graph/graph.js';

export type Feeds = Record<string, ort.Tensor>;
/** Outputs to write into tensors the caller allocated once (no allocation per run), or null: a fresh tensor. Only the outputs named are computed. */
export type Fetches = Record<string, ort.Tensor | null>;

export interface SessionOptions {
  /**
   * Intra-op threads. Default: the number of cores. Thread spinning stays on: on 2 cores turning it
   * off cost ~20% (onnxruntime-measurements.md).
   */
  threads?: number;
}

/** Default threads: every core, unless L2LAB_THREADS says otherwise (benchmarks, parallel trials). */
export function defaultThreads(): number {
  const env = Number(process.env.L2LAB_THREADS);
  return Number.isInteger(env) && env > 0 ? env : os.availableParallelism();
}

/** A graph compiled once into an ONNX Runtime inference session (`CompiledGraph.compile`) and run many times with named feeds. */
export class CompiledGraph {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  static async compile(graph: Graph | Uint8Array, options: SessionOptions = {}): Promise<CompiledGraph> {
    const bytes = graph instanceof Uint8Array ? graph : graph.toBytes();
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? defaultThreads(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // 'extended', not 'all': level 'all' adds the NCHWc layout pass, which cannot reach the
      // convolutions of a training step (their kernels are inputs, not initializers) but wraps
      // each MaxPool in ReorderInput/ReorderOutput: 3% of a CNN step for nothing. No effect on
      // Gemm graphs.
      graphOptimizationLevel: 'extended',
      // The arena keeps freed buffers for reuse across runs: no malloc per step.
      enableCpuMemArena: true,
      enableMemPattern: true,
    });
    return new CompiledGraph(session, session.inputNames, session.outputNames);
  }

  /** One run. ORT returns fresh output tensors each time (copies; see RESULTS.md) except those given in `fetches`; inputs are read in place. */
  run(feeds: Feeds, fetches?: Fetches): Promise<ort.InferenceSession.ReturnType> {
    return fetches ? this.session.run(feeds, fetches) : this.session.run(feeds);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export { ort };
