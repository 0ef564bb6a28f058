/** Constructed atlas runs with known answers: λ* follows a chosen law of (P, m), so fits and held-out scores can be checked by hand. */
import type { AtlasCell } from '../../src/atlas/cells.js';
import type { AtlasCellResult, AtlasRun } from '../../src/atlas/run.js';
import type { StrategyOutcomeRecord } from '../../src/atlas/outcome-record.js';
import { parseAtlasSpec, type AtlasSpec, type AtlasStrategyName } from '../../src/atlas/spec.js';

export function outcome(strategy: AtlasStrategyName, o: Partial<StrategyOutcomeRecord> = {}): StrategyOutcomeRecord {
  return {
    status: 'done',
    strategy,
    study: `study-${strategy}`,
    best_lambda: 1,
    lambda_1se: 1,
    refit_lambda: 1,
    test_loss: 1,
    test_accuracy: null,
    test_rmse: null,
    sample_grads: 1000,
    seconds: 1,
    scheme: 'cv',
    trials: 5,
    curve: [],
    edge_warning: null,
    range_extended: false,
    lambda_timescale_epochs: null,
    epochs_trained: null,
    converged: null,
    test_curve: null,
    resumed: false,
    extra: {},
    error: null,
    finished_at: '2025-01-01T00:00:00.000Z',
    ...o,
  };
}

export interface FakeCellInput {
  dataset: string;
  model: string;
  m: number;
  seed: number;
  params: number;
  units?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  results: Partial<Record<AtlasStrategyName, Partial<StrategyOutcomeRecord>>>;
}

export function fakeCell(c: FakeCellInput): AtlasCellResult {
  const id = `${c.dataset}/${c.model}/m=${c.m}/seed=${c.seed}`;
  const cell: AtlasCell = {
    id,
    key: `${id}#00000000`,
    dataset: c.dataset,
    target: null,
    model: c.model,
    m: c.m,
    seed: c.seed,
    testRows: 100,
    training: { epochs: c.epochs ?? 10, solver: 'exact', lr: c.lr ?? 0.1, optimizer: 'sgd', batchSize: c.batchSize ?? 32, activation: 'relu' },
    validation: { folds: 5 },
    lambda: { lo: 1e-3, hi: 1e3, n: 13, extend: true },
    widths: [10, 3],
    params: c.params,
    weights: c.params,
    biases: 0,
    units: c.units ?? Math.round(Math.sqrt(c.params)),
    depth: 1,
    task: 'classification',
    classes: 3,
    solver: 'sgd',
  };
  const results: AtlasCellResult['results'] = {};
  for (const [name, o] of Object.entries(c.results)) results[name as AtlasStrategyName] = outcome(name as AtlasStrategyName, o);
  return { cell, results };
}

export const FAKE_SPEC: AtlasSpec = parseAtlasSpec({
  name: 'fake',
  datasets: ['d1', 'd2', 'd3'],
  models: ['mlp:8'],
  m: [100],
  strategies: ['grid', 'evidence'],
});

/**
 * Cells on a grid of (dataset, P, m, seed) whose grid-CV λ* = 10^a · P^b · m^c · noise, the noise a
 * fixed pattern of ±`jitter` in log10 over seeds.
 */
export function lawRun(law: { a: number; b: number; c: number }, jitter = 0, datasets = ['d1', 'd2', 'd3']): AtlasRun {
  const cells: AtlasCellResult[] = [];
  const sizes = [1e3, 1e4, 1e5];
  const ms = [100, 1000];
  const seeds = [0, 1];
  for (const dataset of datasets) {
    for (const params of sizes) {
      for (const m of ms) {
        for (const seed of seeds) {
          const noise = jitter * (seed === 0 ? 1 : -1);
          const lambda = 10 ** (law.a + law.b * Math.log10(params) + law.c * Math.log10(m) + noise);
          const curve = [-2, -1, 0, 1, 2].map((k) => ({ lambda: lambda * 10 ** (k / 2), val_mean: 0.5 + 0.05 * k * k, val_se: 0.02, train_mean: 0.4 }));
          cells.push(
            fakeCell({
              dataset,
              model: `mlp:${params}`,
              m,
              seed,
              params,
              results: { grid: { best_lambda: lambda, lambda_1se: lambda * 2, test_loss: 0.5, sample_grads: 100_000, curve }, evidence: { best_lambda: lambda * 1.5, test_loss: 0.505, sample_grads: 10_000 } },
            }),
          );
        }
      }
    }
  }
  return { spec: { ...FAKE_SPEC, datasets: datasets.map((name) => ({ ...FAKE_SPEC.datasets[0], name })) }, cells, storage: ':memory:', complete: true, reportWrittenBy: null };
}
