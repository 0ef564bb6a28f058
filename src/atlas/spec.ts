/**
 * The atlas spec: which datasets × models × training-set sizes m × seeds to tune, how each model
 * trains, the λ grid, the strategies to compare, and where the store and the report go. Validation
 * collects every problem at once, each naming the field, what it got and the fix.
 */
import fs from 'node:fs';
import { InvalidOptionError } from '../errors.js';
import { type Activation, ACTIVATIONS, type OptimizerName, OPTIMIZERS, type SolverName, SOLVERS, STRATEGY_NAMES, type StrategyName } from '../options/names.js';
import { checkValue } from '../options/option.js';
import { DEFAULTS } from '../options/defaults.js';
import { OPTIONS, strategyOptions } from '../options/registry.js';
import { resolveOptimizer } from '../plan/run-plan.js';

/** A strategy the atlas can run per cell: tune()'s strategies. */
export type AtlasStrategyName = StrategyName;
export const ATLAS_STRATEGIES: readonly AtlasStrategyName[] = STRATEGY_NAMES;

/** How every model of a dataset trains (tune()'s training options). */
export interface AtlasTraining {
  /** Epochs of each training run, or 'auto': until converged, at most `maxEpochs`. Default 10. */
  epochs: number | 'auto';
  /** Cap of `epochs: 'auto'`; present only with it. Default 200. */
  maxEpochs?: number;
  /**
   * How convex models (linear, logistic, softmax) are fitted: 'exact' (Newton / L-BFGS, the default:
   * every λ is the minimizer of its cost, the SGD options do not apply) or 'sgd'. MLPs always train
   * by SGD with the options here.
   */
  solver: SolverName;
  /** Learning rate η. Default 0.1 (SGD family), 1e-3 (Adam family). */
  lr: number;
  /** Default 'momentum'. */
  optimizer: OptimizerName;
  /** Momentum μ of momentum/nesterov. Default 0.9 for them, absent otherwise. */
  momentum?: number;
  /** Minibatch size B. Default 64. */
  batchSize: number;
  /** Hidden activation. Default 'relu'. */
  activation: Activation;
}

/** How each λ is scored: k-fold CV (the ground truth) or one hold-out split (cheaper, noisier). */
export type AtlasValidation = { folds: number } | { holdout: number };

/** The λ grid (seed convention), log-spaced: n values from lo to hi. */
export interface AtlasLambdaRange {
  lo: number;
  hi: number;
  n: number;
  /** Extend the range by a decade while the best λ sits on its edge (grid). Default true. */
  extend: boolean;
}

/** One strategy to run per cell with its own options (passed through to tune()). */
export interface AtlasStrategy {
  name: AtlasStrategyName;
  /** Strategy options handed to tune() as they are (e.g. sh: {eta: 3, minEpochs: 1}). */
  options: Record<string, unknown>;
}

/** One dataset of the atlas with its settings resolved (its own overrides over the spec's defaults). */
export interface AtlasDataset {
  /**
   * Built-in name (`l2lab datasets`) or a CSV/JSON/IDX path. A dataset may appear in several entries
   * (e.g. its largest model validated by hold-out) as long as no (model, m) appears twice.
   */
  name: string;
  /** Target column of a CSV/JSON file. */
  target?: string;
  /** Model spec strings: `softmax`, `logistic`, `linear`, `mlp:W1,W2,…`, `cnn:…` (image data). */
  models: string[];
  /** Training-set sizes: each cell trains (and chooses λ) on exactly m rows. */
  m: number[];
  /** Rows drawn besides the m for the test split that scores each refit. Default: min(2000, n − max m), found when the data loads. */
  testRows: number | null;
  training: AtlasTraining;
  validation: AtlasValidation;
  lambda: AtlasLambdaRange;
}

/** A validated spec with every default filled in. */
export interface AtlasSpec {
  /** Names the atlas in the store and the report: letters, digits, '-', '_', '.'. */
  name: string;
  description: string;
  /** Study store (a SQLite path or postgres:// URL), relative to the working directory. Default `atlas-<name>.db`. */
  storage: string;
  /** Report directory, relative to the working directory. Default `atlas-<name>`. */
  out: string;
  /**
   * Results file (JSON lines), relative to the working directory: each finished (cell, strategy) is
   * appended as it finishes and read back by any later run, so the results travel with the
   * repository, not only in the store (see results-file.ts). Default: none.
   */
  results?: string;
  datasets: AtlasDataset[];
  /** Seeds: each draws its own subsample, test split, folds and initialization. Default [0]. */
  seeds: number[];
  strategies: AtlasStrategy[];
  /** The strategy every other one is compared against and the heuristics are fitted to. Default 'grid'. */
  reference: AtlasStrategyName;
  /** Engine threads per training run (default: ONNX Runtime's choice). */
  threads?: number;
}

/** One problem of a spec: where (`datasets[1].m[2]`) and what to do about it. */
export interface SpecIssue {
  path: string;
  message: string;
}

export type SpecCheck = { ok: true; spec: AtlasSpec } | { ok: false; issues: SpecIssue[] };

/** A spec that cannot run: every issue, one per line. */
export class AtlasSpecError extends InvalidOptionError {
  constructor(
    readonly issues: SpecIssue[],
    source = 'the atlas spec',
  ) {
    super(`${source} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'AtlasSpecError';
  }
}

const TOP_KEYS = ['$schema', 'name', 'description', 'storage', 'out', 'results', 'datasets', 'models', 'm', 'testRows', 'seeds', 'training', 'validation', 'lambda', 'strategies', 'reference', 'threads'];
const DATASET_KEYS = ['name', 'target', 'models', 'm', 'testRows', 'training', 'validation', 'lambda'];
/** The training options the registry marks for the atlas (`atlas: true`), under their library names. */
const TRAINING_KEYS = OPTIONS.filter((o) => o.atlas).map((o) => o.key);
const LAMBDA_KEYS = ['lo', 'hi', 'n', 'extend'];
const VALIDATION_KEYS = ['folds', 'holdout'];
/** Set per cell from the spec's `lambda` and `validation` sections, so not a strategy's own option. */
const CELL_KEYS = new Set(['lambdas', 'logRange', 'extend', 'folds', 'holdout', 'storage', 'study']);
/** A strategy's own options in the spec: those the registry gives it, less what each cell sets. */
const strategyOptionKeys = (name: AtlasStrategyName): string[] => strategyOptions(name).map((o) => o.key).filter((k) => !CELL_KEYS.has(k));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return d[a.length][b.length];
}

/** Collects issues while reading one spec. */
class Checker {
  readonly issues: SpecIssue[] = [];
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  keys(o: Obj, allowed: string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (allowed.includes(k)) continue;
      const near = allowed.filter((a) => editDistance(a, k) <= 2);
      this.add(path ? `${path}.${k}` : k, `unknown field${near.length ? ` — did you mean '${near[0]}'?` : `. Known fields: ${allowed.filter((a) => a !== '$schema').join(', ')}.`}`);
    }
  }
  number(v: unknown, path: string, ok: (x: number) => boolean, range: string, example: string): number | undefined {
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      this.add(path, `must be ${range}. Got ${show(v)} instead; e.g. ${example}.`);
      return undefined;
    }
    return v;
  }
  integer(v: unknown, path: string, min: number, example: string, max = Infinity): number | undefined {
    return this.number(v, path, (x) => Number.isInteger(x) && x >= min && x <= max, `an integer in [${min}, ${max === Infinity ? '∞' : max}]`, example);
  }
  string(v: unknown, path: string, example: string): string | undefined {
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(path, `must be a non-empty string. Got ${show(v)} instead; e.g. ${example}.`);
      return undefined;
    }
    return v;
  }
  list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T | undefined, example: string): T[] | undefined {
    if (!Array.isArray(v) || v.length === 0) {
      this.add(path, `must be a non-empty list. Got ${show(v)} instead; e.g. ${example}.`);
      return undefined;
    }
    const out = v.map((x, i) => item(x, `${path}[${i}]`));
    const seen = new Set<string>();
    v.forEach((x, i) => {
      const key = JSON.stringify(x);
      if (seen.has(key)) this.add(`${path}[${i}]`, `${show(x)} appears twice in ${path}: remove the duplicate (each would be the same cell).`);
      seen.add(key);
    });
    return out.every((x) => x !== undefined) ? (out as T[]) : undefined;
  }
}

/** Rows each fold trains on: m minus the largest validation fold (CV), or minus the hold-out part. */
export function foldTrainRows(m: number, v: AtlasValidation): number {
  return 'folds' in v ? m - Math.ceil(m / v.folds) : m - Math.round(m * v.holdout);
}

function modelSpecIssue(s: string): string | undefined {
  if (s === 'linear' || s === 'logistic' || s === 'softmax') return undefined;
  const m = /^mlp:(.*)$/.exec(s);
  if (m && m[1].split(',').every((w) => /^\s*[1-9]\d*\s*$/.test(w))) return undefined;
  // A cnn: spec's layers are checked against the dataset's image shape when the data loads.
  if (/^cnn:\S+$/.test(s)) return undefined;
  // An .onnx file is read (and checked against each dataset) when the data loads.
  if (/\.onnx$/i.test(s)) return undefined;
  return `'${s}' is not a model spec: use linear, logistic, softmax, mlp:W1,W2,… with positive integer widths (e.g. 'mlp:64' or 'mlp:256,256'), cnn:… on image data (e.g. 'cnn:c16k5,p2,c32k5,p2,f128'), or the path of an .onnx file.`;
}

function readTraining(c: Checker, raw: unknown, path: string, base: AtlasTraining | undefined): AtlasTraining | undefined {
  if (raw === undefined && base) return base;
  const t = raw ?? {};
  if (!isObj(t)) {
    c.add(path, `must be an object such as {"epochs": "auto", "maxEpochs": 200, "lr": 0.1, "optimizer": "momentum", "batchSize": 64}. Got ${show(t)} instead.`);
    return undefined;
  }
  c.keys(t, TRAINING_KEYS, path);
  let optimizer: OptimizerName | undefined = base?.optimizer ?? 'momentum';
  if (t.optimizer !== undefined) {
    if (!OPTIMIZERS.includes(t.optimizer as OptimizerName)) {
      c.add(`${path}.optimizer`, `must be one of ${OPTIMIZERS.join(', ')}. Got ${show(t.optimizer)} instead.`);
      optimizer = undefined;
    } else optimizer = t.optimizer as OptimizerName;
  }
  const epochs = t.epochs === undefined ? base?.epochs ?? 10 : t.epochs === 'auto' ? 'auto' : c.integer(t.epochs, `${path}.epochs`, 1, '"epochs": 10 or "epochs": "auto"');
  let maxEpochs: number | undefined;
  if (t.maxEpochs !== undefined) {
    maxEpochs = c.integer(t.maxEpochs, `${path}.maxEpochs`, 1, '"maxEpochs": 200');
    if (epochs !== 'auto') c.add(`${path}.maxEpochs`, `caps "epochs": "auto" only, but epochs is ${show(epochs)}: remove "maxEpochs" or set "epochs": "auto".`);
  } else if (epochs === 'auto') maxEpochs = t.epochs === undefined && base?.maxEpochs !== undefined ? base.maxEpochs : DEFAULTS.maxEpochs;
  let solver: SolverName | undefined = base?.solver ?? 'exact';
  if (t.solver !== undefined) {
    if (!SOLVERS.includes(t.solver as SolverName)) {
      c.add(`${path}.solver`, `must be one of ${SOLVERS.join(', ')}. Got ${show(t.solver)} instead.`);
      solver = undefined;
    } else solver = t.solver as SolverName;
  }
  const optimizerChanged = t.optimizer !== undefined && base !== undefined && t.optimizer !== base.optimizer;
  // The run plan's defaults for this optimizer (its learning rate, and μ for momentum and nesterov).
  const planned = optimizer === undefined ? undefined : resolveOptimizer({ optimizer });
  const lr = t.lr === undefined ? (base && !optimizerChanged ? base.lr : planned?.lr) : c.number(t.lr, `${path}.lr`, (x) => x > 0, 'a number in (0, ∞)', '"lr": 0.1');
  const batchSize = t.batchSize === undefined ? base?.batchSize ?? 64 : c.integer(t.batchSize, `${path}.batchSize`, 1, '"batchSize": 64');
  let activation: Activation | undefined = base?.activation ?? DEFAULTS.activation;
  if (t.activation !== undefined) {
    if (!ACTIVATIONS.includes(t.activation as Activation)) {
      c.add(`${path}.activation`, `must be one of ${ACTIVATIONS.join(', ')}. Got ${show(t.activation)} instead.`);
      activation = undefined;
    } else activation = t.activation as Activation;
  }
  const usesMomentum = optimizer === 'momentum' || optimizer === 'nesterov';
  let momentum: number | undefined;
  if (t.momentum !== undefined) {
    momentum = c.number(t.momentum, `${path}.momentum`, (x) => x >= 0 && x < 1, 'a number in [0, 1)', '"momentum": 0.9');
    if (optimizer && !usesMomentum) c.add(`${path}.momentum`, `is only used by the momentum and nesterov optimizers, but optimizer is '${optimizer}': remove "momentum" or set "optimizer": "momentum".`);
  } else if (planned && 'momentum' in planned.optimizer) momentum = base && !optimizerChanged && base.momentum !== undefined ? base.momentum : planned.optimizer.momentum;
  if (epochs === undefined || lr === undefined || batchSize === undefined || optimizer === undefined || activation === undefined || solver === undefined) return undefined;
  return { epochs, ...(maxEpochs !== undefined ? { maxEpochs } : {}), solver, lr, optimizer, ...(momentum !== undefined ? { momentum } : {}), batchSize, activation };
}

function readValidation(c: Checker, raw: unknown, path: string, base: AtlasValidation | undefined): AtlasValidation | undefined {
  if (raw === undefined) return base ?? { folds: 5 };
  if (!isObj(raw)) {
    c.add(path, `must be {"folds": k} (k-fold CV) or {"holdout": f} (one hold-out split). Got ${show(raw)} instead.`);
    return undefined;
  }
  c.keys(raw, VALIDATION_KEYS, path);
  if (raw.folds !== undefined && raw.holdout !== undefined) {
    c.add(path, `gives both "folds" and "holdout": keep one ({"folds": 5} for k-fold CV, {"holdout": 0.2} for one split).`);
    return undefined;
  }
  if (raw.holdout !== undefined) {
    const h = c.number(raw.holdout, `${path}.holdout`, (x) => x > 0 && x < 1, 'a fraction in (0, 1)', '"holdout": 0.2');
    return h === undefined ? undefined : { holdout: h };
  }
  if (raw.folds !== undefined) {
    const k = c.integer(raw.folds, `${path}.folds`, 2, '"folds": 5', 50);
    return k === undefined ? undefined : { folds: k };
  }
  c.add(path, `needs "folds" or "holdout", e.g. {"folds": 5}.`);
  return undefined;
}

function readLambda(c: Checker, raw: unknown, path: string, base: AtlasLambdaRange | undefined): AtlasLambdaRange | undefined {
  if (raw === undefined) return base ?? { lo: 1e-3, hi: 1e3, n: 13, extend: true };
  if (!isObj(raw)) {
    c.add(path, `must be an object such as {"lo": 0.001, "hi": 1000, "n": 13}. Got ${show(raw)} instead.`);
    return undefined;
  }
  c.keys(raw, LAMBDA_KEYS, path);
  const lo = raw.lo === undefined ? base?.lo ?? 1e-3 : c.number(raw.lo, `${path}.lo`, (x) => x > 0, 'a number in (0, ∞)', '"lo": 0.001');
  const hi = raw.hi === undefined ? base?.hi ?? 1e3 : c.number(raw.hi, `${path}.hi`, (x) => x > 0, 'a number in (0, ∞)', '"hi": 1000');
  const n = raw.n === undefined ? base?.n ?? 13 : c.integer(raw.n, `${path}.n`, 2, '"n": 13', 200);
  let extend = base?.extend ?? true;
  if (raw.extend !== undefined) {
    if (typeof raw.extend !== 'boolean') c.add(`${path}.extend`, `must be true or false. Got ${show(raw.extend)} instead.`);
    else extend = raw.extend;
  }
  if (lo !== undefined && hi !== undefined && !(lo < hi)) {
    c.add(path, `needs lo < hi. Got lo = ${lo}, hi = ${hi}: swap them.`);
    return undefined;
  }
  if (lo === undefined || hi === undefined || n === undefined) return undefined;
  return { lo, hi, n, extend };
}

function readM(c: Checker, raw: unknown, path: string): number[] | undefined {
  const ms = c.list(raw, path, (x, p) => c.integer(x, p, 4, '"m": [250, 1000, 4000]'), '"m": [250, 1000, 4000]');
  return ms?.slice().sort((a, b) => a - b);
}

function readModels(c: Checker, raw: unknown, path: string): string[] | undefined {
  return c.list(
    raw,
    path,
    (x, p) => {
      const s = c.string(x, p, "'mlp:64'");
      if (s === undefined) return undefined;
      const issue = modelSpecIssue(s);
      if (issue) {
        c.add(p, issue);
        return undefined;
      }
      return s;
    },
    '"models": ["softmax", "mlp:64", "mlp:256,256"]',
  );
}

function readStrategies(c: Checker, raw: unknown): AtlasStrategy[] | undefined {
  if (raw === undefined) return [{ name: 'grid', options: {} }];
  return c.list(
    raw,
    'strategies',
    (x, p) => {
      const o: Obj | undefined = typeof x === 'string' ? { name: x } : isObj(x) ? x : undefined;
      if (!o) {
        c.add(p, `must be a strategy name or {"name": …, options}. Got ${show(x)} instead; e.g. "grid" or {"name": "sh", "eta": 3}.`);
        return undefined;
      }
      const name = o.name as AtlasStrategyName;
      if (!ATLAS_STRATEGIES.includes(name)) {
        c.add(`${p}${typeof x === 'string' ? '' : '.name'}`, `must be one of ${ATLAS_STRATEGIES.join(', ')}. Got ${show(o.name)} instead.`);
        return undefined;
      }
      const { name: _n, ...options } = o;
      const known = strategyOptionKeys(name);
      c.keys(options, known, p);
      for (const decl of strategyOptions(name).filter((d) => known.includes(d.key) && options[d.key] !== undefined)) {
        try {
          checkValue(decl, options[decl.key], `strategy ${name}`);
        } catch (e) {
          c.add(`${p}.${decl.key}`, (e as Error).message);
        }
      }
      return { name, options };
    },
    '"strategies": ["grid", "evidence", "sh"]',
  );
}

/**
 * Checks a parsed JSON spec without throwing: `{ok: true, spec}` with every default filled in, or
 * `{ok: false, issues}` listing every problem. Checks against the data itself (m + testRows ≤ n,
 * a model that fits the task) happen when the atlas loads each dataset, before any training.
 */
export function checkAtlasSpec(raw: unknown): SpecCheck {
  const c = new Checker();
  if (!isObj(raw)) return { ok: false, issues: [{ path: '(root)', message: `must be a JSON object with "name", "datasets", "models", "m", … Got ${show(raw)} instead.` }] };
  c.keys(raw, TOP_KEYS, '');
  const name = c.string(raw.name, 'name', '"name": "default"');
  if (name !== undefined && !/^[A-Za-z0-9._-]+$/.test(name)) c.add('name', `may hold only letters, digits, '.', '_' and '-' (it names files and studies). Got ${show(name)} instead.`);
  const description = raw.description === undefined ? '' : c.string(raw.description, 'description', '"description": "…"') ?? '';
  const storage = raw.storage === undefined ? `atlas-${name ?? 'atlas'}.db` : c.string(raw.storage, 'storage', '"storage": "atlas-default.db"');
  const out = raw.out === undefined ? `atlas-${name ?? 'atlas'}` : c.string(raw.out, 'out', '"out": "atlas-default"');
  const results = raw.results === undefined ? undefined : c.string(raw.results, 'results', '"results": "atlas/results/default.jsonl"');
  const seeds = raw.seeds === undefined ? [0] : c.list(raw.seeds, 'seeds', (x, p) => c.integer(x, p, 0, '"seeds": [0, 1, 2]', 2 ** 31 - 1), '"seeds": [0, 1, 2]');
  const models = raw.models === undefined ? undefined : readModels(c, raw.models, 'models');
  const m = raw.m === undefined ? undefined : readM(c, raw.m, 'm');
  const testRows = raw.testRows === undefined ? null : c.integer(raw.testRows, 'testRows', 1, '"testRows": 2000') ?? null;
  const training = readTraining(c, raw.training, 'training', undefined);
  const validation = readValidation(c, raw.validation, 'validation', undefined);
  const lambda = readLambda(c, raw.lambda, 'lambda', undefined);
  const strategies = readStrategies(c, raw.strategies);
  let reference: AtlasStrategyName = 'grid';
  if (raw.reference !== undefined) {
    if (!ATLAS_STRATEGIES.includes(raw.reference as AtlasStrategyName)) c.add('reference', `must be one of ${ATLAS_STRATEGIES.join(', ')}. Got ${show(raw.reference)} instead.`);
    else reference = raw.reference as AtlasStrategyName;
  }
  if (strategies && !strategies.some((s) => s.name === reference)) c.add('strategies', `must include the reference strategy '${reference}' (every other strategy is compared against it): add "${reference}" to "strategies".`);
  const threads = raw.threads === undefined ? undefined : c.integer(raw.threads, 'threads', 1, '"threads": 2', 256);

  const datasets: AtlasDataset[] = [];
  const entries = c.list(raw.datasets, 'datasets', (x) => x, '"datasets": ["wine", {"name": "mnist-10k", "m": [500, 2000]}]');
  entries?.forEach((entry, i) => {
    const p = `datasets[${i}]`;
    const e: Obj | undefined = typeof entry === 'string' ? { name: entry } : isObj(entry) ? entry : undefined;
    if (!e) {
      c.add(p, `must be a dataset name or an object {"name": …, overrides}. Got ${show(entry)} instead; e.g. "wine".`);
      return;
    }
    c.keys(e, DATASET_KEYS, p);
    const dname = c.string(e.name, `${p}.name`, '"mnist-10k"');
    const target = e.target === undefined ? undefined : c.string(e.target, `${p}.target`, '"label"');
    const dm = e.m === undefined ? m : readM(c, e.m, `${p}.m`);
    const dmodels = e.models === undefined ? models : readModels(c, e.models, `${p}.models`);
    if (e.m === undefined && raw.m === undefined) c.add(`${p}.m`, `no training-set sizes: give "m" for this dataset or for the whole spec, e.g. "m": [250, 1000].`);
    if (e.models === undefined && raw.models === undefined) c.add(`${p}.models`, `no models: give "models" for this dataset or for the whole spec, e.g. "models": ["softmax", "mlp:64"].`);
    const dtest = e.testRows === undefined ? testRows : c.integer(e.testRows, `${p}.testRows`, 1, '"testRows": 500') ?? null;
    const dtraining = training && readTraining(c, e.training, `${p}.training`, training);
    const dvalidation = validation && readValidation(c, e.validation, `${p}.validation`, validation);
    const dlambda = lambda && readLambda(c, e.lambda, `${p}.lambda`, lambda);
    if (dtraining && dm && dvalidation) {
      const rows = foldTrainRows(dm[0], dvalidation);
      if (dtraining.batchSize > rows) {
        const where = e.training !== undefined && isObj(e.training) && e.training.batchSize !== undefined ? `${p}.training.batchSize` : 'training.batchSize';
        c.add(where, `${dtraining.batchSize} is more than the ${rows} rows a fold trains on at m = ${dm[0]}${where === 'training.batchSize' ? ` (dataset '${String(e.name)}')` : ''}: use a batchSize ≤ ${rows} or a larger m.`);
      }
    }
    if (dname && dm && dmodels && dtraining && dvalidation && dlambda) {
      datasets.push({ name: dname, ...(target !== undefined ? { target } : {}), models: dmodels, m: dm, testRows: dtest, training: dtraining, validation: dvalidation, lambda: dlambda });
    }
  });
  if (c.issues.length > 0 || !name || !storage || !out || !seeds || !strategies) return { ok: false, issues: c.issues };
  return { ok: true, spec: { name, description, storage, out, ...(results !== undefined ? { results } : {}), datasets, seeds, strategies, reference, ...(threads !== undefined ? { threads } : {}) } };
}

/** Like {@link checkAtlasSpec} but throws an {@link AtlasSpecError} listing every issue. */
export function parseAtlasSpec(raw: unknown, source?: string): AtlasSpec {
  const r = checkAtlasSpec(raw);
  if (!r.ok) throw new AtlasSpecError(r.issues, source);
  return r.spec;
}

/** Reads and validates a spec file. */
export function loadAtlasSpec(path: string): AtlasSpec {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidOptionError(`Cannot read the atlas spec '${path}': ${(e as Error).message}. Give the path of a JSON spec such as atlas/smoke.json.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidOptionError(`The atlas spec '${path}' is not valid JSON: ${(e as Error).message}.`);
  }
  return parseAtlasSpec(raw, `The atlas spec '${path}'`);
}
