/**
 * λ by maximizing the evidence (marginal likelihood), with no validation data:
 * - linear regression: exact, from one eigendecomposition (MacKay 1992; Bishop PRML §3.5);
 * - logistic / softmax regression: Laplace approximation at the MAP with MacKay's updates;
 * - MLPs: online Laplace (Immer et al., ICML 2021, Algorithm 1): one training run in which, after a
 *   burn-in, the curvature (K-FAC or diagonal GGN, an extra graph on the engine) is recomputed every
 *   few epochs and δ re-estimated by MacKay's fixed point; training continues at λ = δ.
 * λ_seed = δ for classification and δ/β for regression (noise precision β): see evidence.md.
 */
import { convert } from '../../conventions/index.js';
import { CompiledGraph } from '../../engine/session.js';
import { floatArray, tensor } from '../../engine/tensor.js';
import { subsample } from '../../data/index.js';
import { paramShapes, type Architecture } from '../../models/architecture.js';
import { buildCurvatureGraph } from '../../train/curvature-graph.js';
import { Evaluator } from '../../train/evaluator.js';
import { evaluateParams } from '../../train/fit.js';
import { train } from '../../train/trainer.js';
import { Rng } from '../../util/rng.js';
import { InvalidOptionError } from '../../errors.js';
import { evidenceLinear } from '../evidence/linear.js';
import { evidenceLogistic } from '../evidence/logistic.js';
import { effectiveParameters, factorEigenvalues, kroneckerEigenvalues, logEvidence, mackayDelta, type CurvatureKind } from '../evidence/laplace.js';
import { logSpace } from '../closed-form/ridge.js';
import type { ConfigScore } from '../scoring/config-score.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';
import { readTrialResult, type EvidenceReport, type Refit } from '../trials/trial-result.js';
import { InvalidDataError, L2labError } from '../../errors.js';

export type { EvidenceReport } from '../trials/trial-result.js';

const CURVATURE_ROWS = 2048;
/** Linear classifiers up to this many weights get the exact-Hessian Laplace evidence. */
const EXACT_HESSIAN_MAX_WEIGHTS = 2000;

export async function runEvidence(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run } = ctx;
  const arch = setup.architecture(0);
  if (arch.cnn || arch.onnx) throw new InvalidOptionError(`--strategy evidence uses K-FAC curvature of l2lab's dense layers; ${ctx.options.model} ${arch.onnx ? 'is an imported graph' : 'has convolutions'}. Use --strategy grid, bayes or sh.`);
  const [trial] = await run.trials([{ lambda: 0, dropout: 0 }], { evidence: 1 });
  let report: EvidenceReport | undefined;
  let refit: Refit | undefined;
  const [done] = await run.run(
    [trial],
    async () => {
      // The exact Hessian of a linear classifier is (d·C)²: beyond a few thousand weights the
      // online Laplace run (K-FAC on the engine) is the affordable one.
      const linearModel = arch.widths.length === 2;
      const weights = arch.widths[0] * arch.widths[1];
      const r = linearModel && arch.loss === 'mse' ? linear(ctx) : linearModel && weights <= EXACT_HESSIAN_MAX_WEIGHTS ? await logistic(ctx, arch) : await online(ctx, arch);
      report = r.report;
      refit = r.refit;
      const m = setup.train.n;
      const score: ConfigScore = { config: { lambda: r.report.lambda_seed, dropout: 0 }, folds: [], mean: -r.report.log_evidence / m, se: 0, trainMean: NaN, params: [] };
      return [score];
    },
    () => ({ evidence: report, refit }),
  );
  const stored = readTrialResult(done.result, `trial ${done.number} of study '${run.study.name}'`);
  report ??= stored?.evidence;
  refit ??= stored?.refit;
  if (!report || !refit) throw new L2labError('DIVERGED', `The evidence run (trial ${done.number} of study '${run.study.name}') finished without an estimate: ${done.reason ?? 'unknown reason'}. Lower --lr, or delete the study to run it again.`);
  const lambda = setup.plan.convention === 'seed' ? report.lambda_seed : convert(report.lambda_seed, 'seed', setup.plan.convention, { m: setup.train.n, batchSize: setup.plan.batchSize, lr: setup.plan.lr, optimizer: setup.plan.optimizer.name }).value;
  return {
    scheme: `evidence (${report.method}): γ = ${report.gamma.toFixed(1)} of ${report.weights} weights, no validation data`,
    points: [{ lambda, dropout: 0, mean: -report.log_evidence / setup.train.n, se: 0, trainMean: NaN, state: done.state, reason: done.reason }],
    rangeExtended: false,
    refit: { ...refit, lambda },
    evidence: report,
  };
}

function linear(ctx: StrategyContext): { report: EvidenceReport; refit: Refit } {
  const { train: tr, test } = ctx.setup;
  const t0 = performance.now();
  const ev = evidenceLinear(tr.x, tr.y);
  ctx.cost.sampleGrads += tr.n;
  ctx.cost.seconds += (performance.now() - t0) / 1000;
  let se = 0;
  for (let r = 0; r < test.n; r++) {
    let yhat = ev.intercept;
    for (let j = 0; j < test.d; j++) yhat += test.x[r * test.d + j] * ev.coef[j];
    se += (yhat - test.y[r]) ** 2;
  }
  return {
    report: {
      method: 'exact linear-Gaussian evidence, MacKay updates on one eigendecomposition',
      lambda_seed: ev.lambda,
      gamma: ev.gamma,
      weights: tr.d,
      log_evidence: ev.logEvidence,
      noise_precision: ev.beta,
      curve: ev.curve.lambdas.map((l, i) => ({ lambda: l, log_evidence: ev.curve.logEvidence[i] })),
      history: [],
    },
    refit: { lambda: ev.lambda, dropout: 0, epochs: 0, test_loss: se / test.n / 2, test_rmse: Math.sqrt(se / test.n) },
  };
}

async function logistic(ctx: StrategyContext, arch: Architecture): Promise<{ report: EvidenceReport; refit: Refit }> {
  const { train: tr, test } = ctx.setup;
  if (tr.task !== 'classification') throw new InvalidDataError('The logistic evidence needs class labels, but the target is numeric: use --model linear for regression.');
  const t0 = performance.now();
  const ev = evidenceLogistic(tr.x, tr.y, { classes: tr.classes.length });
  ctx.cost.sampleGrads += tr.n * ev.iterations;
  ctx.cost.seconds += (performance.now() - t0) / 1000;
  const m = await evaluateParams(arch, [ev.weights, ev.intercept], test, ctx.setup.threads);
  return {
    report: {
      method: 'Laplace approximation at the MAP (exact Hessian), MacKay updates',
      lambda_seed: ev.lambda,
      gamma: ev.gamma,
      weights: ev.weightCount,
      log_evidence: ev.logEvidence,
      curve: ev.curve.lambdas.map((l, i) => ({ lambda: l, log_evidence: ev.curve.logEvidence[i] })),
      history: [],
    },
    refit: { lambda: ev.lambda, dropout: 0, epochs: 0, test_loss: m.loss, ...(m.accuracy !== undefined ? { test_accuracy: m.accuracy } : {}) },
  };
}

/** Curvature eigenvalues per layer, the summed NLL and squared residuals at the current parameters. */
/**
 * The first layer's input factor Σxxᵀ does not depend on θ: its eigenvalues (784×784 for MNIST, the
 * costliest decomposition) are computed once per run and kept here.
 */
type FactorCache = { firstInput?: Float64Array };

async function curvature(session: CompiledGraph, evaluator: Evaluator, arch: Architecture, params: Float64Array[], rows: Int32Array, ctx: StrategyContext, kind: CurvatureKind, rng: Rng, cache: FactorCache): Promise<{ h: Float64Array[]; nll: number; rss: number; w2: number }> {
  const { train: tr } = ctx.setup;
  const shapes = paramShapes(arch);
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  shapes.forEach((p, i) => (feeds[p.name] = tensor(floatArray('float32', params[i]), p.kind === 'weight' ? [p.fanIn, p.fanOut] : [p.fanOut])));
  const paramTensors = shapes.map((p) => feeds[p.name]);
  const { loss, logits } = await evaluator.outputs(paramTensors, tr, rows);
  const n = rows.length;
  const out = arch.widths[arch.widths.length - 1];
  const x = new Float32Array(n * tr.d);
  rows.forEach((r, i) => x.set(tr.x.subarray(r * tr.d, (r + 1) * tr.d), i * tr.d));
  feeds.x = tensor(x, [n, tr.d]);
  // Labels drawn from the model's own predictive distribution: the Monte-Carlo GGN.
  if (arch.loss === 'softmax_ce') {
    const y = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const z = logits[0].subarray(i * out, (i + 1) * out);
      const max = Math.max(...z);
      let total = 0;
      for (const v of z) total += Math.exp(v - max);
      let u = rng.uniform() * total;
      let c = 0;
      while (c < out - 1 && (u -= Math.exp(z[c] - max)) > 0) c++;
      y[i] = BigInt(c);
    }
    feeds.y = tensor(y, [n]);
  } else if (arch.loss === 'logistic') {
    feeds.y = tensor(Float32Array.from({ length: n }, (_, i) => (rng.uniform() < 1 / (1 + Math.exp(-logits[0][i])) ? 1 : 0)), [n, 1]);
  }
  const r = await session.run(feeds);
  const scale = tr.n / n;
  const h = shapes
    .filter((p) => p.kind === 'weight')
    .map((p) =>
      {
        if (kind === 'diag') return Float64Array.from(r[`D.${p.layer}`].data as Float32Array, (v) => Math.max(0, v * scale));
        const factor = (name: string, dim: number) => factorEigenvalues(Float64Array.from(r[name].data as Float32Array, (v) => v * scale), dim, tr.n);
        const s = p.layer === 0 ? (cache.firstInput ??= factor('A.0', p.fanIn)) : factor(`A.${p.layer}`, p.fanIn);
        return kroneckerEigenvalues(s, factor(`G.${p.layer}`, p.fanOut), tr.n);
      },
    );
  let nll = 0;
  for (const v of loss[0]) nll += v;
  let rss = 0;
  if (arch.loss === 'mse') rows.forEach((row, i) => (rss += (logits[0][i] - tr.y[row]) ** 2));
  let w2 = 0;
  shapes.forEach((p, i) => {
    if (p.kind === 'weight') for (const v of params[i]) w2 += v * v;
  });
  return { h, nll: nll * scale, rss: rss * scale, w2 };
}

async function online(ctx: StrategyContext, arch: Architecture, kind: CurvatureKind = 'kfac'): Promise<{ report: EvidenceReport; refit: Refit }> {
  const { setup } = ctx;
  const tr = setup.train;
  const m = tr.n;
  const E = setup.plan.epochBudget;
  const burnIn = Math.max(1, Math.round(E / 5));
  const every = Math.max(1, Math.round(E / 10));
  const session = await CompiledGraph.compile(buildCurvatureGraph(arch, 'float32'), { threads: setup.threads });
  const evaluator = await Evaluator.create(arch, 'float32', undefined, setup.threads);
  const rows = tr.n <= CURVATURE_ROWS ? Int32Array.from({ length: tr.n }, (_, i) => i) : subsample(tr, CURVATURE_ROWS, { seed: setup.seed + 3 });
  const rng = new Rng(setup.seed + 4);
  const cache: FactorCache = {};
  const weights = paramShapes(arch).filter((p) => p.kind === 'weight').reduce((a, p) => a + p.size, 0);
  // The online estimate starts at λ = 1 (MacKay's fixed point forgets its start within a few updates).
  let lambda = 1;
  let delta = lambda;
  let beta = 1;
  const history: EvidenceReport['history'] = [];
  /** One re-estimate at the current θ: MacKay's fixed point for δ (and β for regression). */
  const estimate = async (params: Float64Array[]) => {
    const c = await curvature(session, evaluator, arch, params, rows, ctx, kind, rng, cache);
    ctx.cost.sampleGrads += 3 * rows.length; // two forward passes and one backward pass
    let gamma = effectiveParameters(c.h, delta, beta);
    if (arch.loss === 'mse') {
      for (let i = 0; i < 50; i++) {
        ({ delta, gamma } = mackayDelta(c.h, c.w2, delta, beta));
        const next = Math.max(m - gamma, 1) / Math.max(c.rss, 1e-12);
        if (Math.abs(Math.log(next / beta)) < 1e-6) break;
        beta = next;
      }
    } else ({ delta, gamma } = mackayDelta(c.h, c.w2, delta));
    lambda = arch.loss === 'mse' ? delta / beta : delta;
    return { ...c, gamma };
  };
  const result = await train(tr, undefined, {
    ...setup.trainOptions(arch),
    members: [{ penalty: { coupled: lambda / m, decoupled: 0 }, lr: setup.plan.lr }],
    adjustPenalty: async (epoch, params) => {
      if (epoch < burnIn || epoch >= E || (epoch - burnIn) % every !== 0) return undefined;
      const { gamma } = await estimate(params[0]);
      history.push({ epoch, lambda, gamma });
      return [{ coupled: lambda / m, decoupled: 0 }];
    },
  });
  ctx.cost.sampleGrads += result.sampleGrads;
  ctx.cost.passes += result.passes;
  const params = result.members[0].params;
  const final = await estimate(params);
  const scale = arch.loss === 'mse' ? beta : 1;
  // The δ-free likelihood term: NLL at θ*, β-scaled for Gaussian noise.
  const nll = arch.loss === 'mse' ? (beta * final.rss) / 2 - (m / 2) * Math.log(beta / (2 * Math.PI)) : final.nll;
  const grid = logSpace(delta / 1e3, delta * 1e3, 61);
  const test = await evaluateParams(arch, params, setup.test, setup.threads);
  await session.release();
  await evaluator.release();
  return {
    report: {
      method: `online Laplace (${kind === 'kfac' ? 'K-FAC' : 'diagonal'} GGN, Monte-Carlo labels), burn-in ${burnIn} epochs, re-estimated every ${every}`,
      lambda_seed: lambda,
      gamma: final.gamma,
      weights,
      log_evidence: logEvidence(final.h, delta, final.w2, nll, scale),
      ...(arch.loss === 'mse' ? { noise_precision: beta } : {}),
      curve: grid.map((d) => ({ lambda: arch.loss === 'mse' ? d / beta : d, log_evidence: logEvidence(final.h, d, final.w2, nll, scale) })),
      history,
    },
    refit: { lambda, dropout: 0, epochs: E, test_loss: test.loss, ...(test.accuracy !== undefined ? { test_accuracy: test.accuracy } : {}), ...(test.rmse !== undefined ? { test_rmse: test.rmse } : {}) },
  };
}
