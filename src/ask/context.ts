/**
 * An ask study's context, resolved once: checked against the option registry, defaults applied, and
 * what l2lab derives from it for the user's loop (its units, τ at a λ, the search range). The study
 * config records it; later calls read it back from there.
 */
import { convert, getConvention, type ConversionContext } from '../conventions/index.js';
import { InvalidOptionError } from '../errors.js';
import { checkOptions } from '../options/check.js';
import { DEFAULTS, defaultLogRange } from '../options/defaults.js';
import { canonicalJson, type Json, type StudyConfig } from '../study/index.js';
import { assertSafeGrid, safeExtensionLimits, type LambdaLimit } from '../plan/penalty-limits.js';
import { resolveRunPlan, type RunPlan } from '../plan/run-plan.js';
import { momentumOf } from '../plan/optimizer.js';
import { MAX_GRID_VALUES } from '../options/lambda-grid.js';
import { ProtocolError } from './errors.js';
import type { ExternalOptimizer, ExternalStrategy, StudyContext } from './protocol.js';

/**
 * A context after checks and defaults: the user's loop as a run plan (convention, optimizer and μ,
 * lr, batch size, epochs, τ at any λ, the λ limit, resolved by the one resolver), and the search.
 * λ values (range, list) are in the convention's units, as tune's.
 */
export interface ResolvedContext {
  plan: RunPlan;
  strategy: ExternalStrategy;
  range: { lo: number; hi: number; n: number };
  lambdas: number[] | null;
  trials: number;
  repeats: number;
}

/** The fields the first ask must give: l2lab cannot know the user's loop. */
const REQUIRED = ['convention', 'm', 'batch_size', 'optimizer', 'lr', 'epochs'] as const;

/** The study config's `data.source` of a study created by ask: it tells ask's studies from tune's. */
const EXTERNAL = 'external';

/** The run plan of the user's loop: no model (l2lab does not run it), so gradient steps at the loop's settings. */
function loopPlan(c: Pick<StudyContext, 'convention' | 'm' | 'batch_size' | 'optimizer' | 'lr' | 'momentum' | 'epochs'>): RunPlan {
  return resolveRunPlan({ convention: c.convention, optimizer: c.optimizer, momentum: c.momentum, lr: c.lr, epochs: c.epochs, batchSize: c.batch_size }, { m: c.m, owner: 'ask', rowsName: "your loop's training rows" });
}

/**
 * Checks a first ask's context and applies its defaults: strategy bayes, 15 trials, one repeat, and
 * a range of tune's default 0.001…100 read as seed λ, converted to the convention, kept below the
 * λ whose penalty step alone is unstable. An explicit range or list reaching that λ is refused.
 *
 * @throws InvalidOptionError naming the field, what it got and the fix (the registry's one template).
 */
export function resolveContext(c: StudyContext): ResolvedContext {
  if (typeof c !== 'object' || c === null) throw new InvalidOptionError(`The context of ask must be an object {convention, m, batch_size, optimizer, lr, epochs, …}. Got ${JSON.stringify(c)} instead.`);
  const missing = REQUIRED.filter((k) => c[k] === undefined);
  if (missing.length > 0) {
    throw new InvalidOptionError(`The first ask of a study needs the context of your training loop; missing: ${missing.map((k) => `--${k.replace('_', '-')}`).join(', ')}. Example: --convention pytorch --m 6400 --batch-size 128 --optimizer momentum --lr 0.1 --momentum 0.9 --epochs 20.`);
  }
  const strategy = c.strategy ?? 'bayes';
  // strategy first: the others are judged by the strategy they come with.
  checkOptions('ask', { strategy, convention: c.convention, m: c.m, batchSize: c.batch_size, optimizer: c.optimizer, lr: c.lr, momentum: c.momentum, epochs: c.epochs, logRange: c.log_range, lambdas: c.lambdas, trials: c.trials, repeats: c.repeats }, { strategy });
  if (c.momentum !== undefined && c.optimizer !== 'momentum' && c.optimizer !== 'nesterov') throw new InvalidOptionError(`--momentum applies to --optimizer momentum or nesterov, not to ${c.optimizer}. Remove --momentum, or name the optimizer your loop uses.`);
  if (c.convention === 'pytorch' && c.optimizer === 'adamw') {
    throw new InvalidOptionError(`torch.optim.AdamW applies weight_decay decoupled (θ ← θ − lr·wd·θ), which is --convention adamw; --convention pytorch is the coupled weight_decay of torch.optim.SGD and Adam. Use --convention adamw.`);
  }
  const plan = loopPlan(c);
  const lambdas = c.lambdas === undefined ? null : checkList(c.lambdas);
  const range = c.log_range === undefined ? defaultRange(plan, strategy) : checkRange(c.log_range);
  assertSafeGrid(lambdas ?? [range.lo, range.hi], plan.lambdaLimit, plan.convention, lambdas ? '--lambdas' : '--log-range', 'ask', `under ${c.optimizer} with lr ${c.lr}`);
  return { plan, strategy, range, lambdas, trials: c.trials ?? DEFAULTS.trials, repeats: c.repeats ?? DEFAULTS.repeats };
}

/** An explicit list: finite values ≥ 0, none twice (a repeat is `repeats`), at most MAX_GRID_VALUES. */
function checkList(values: unknown): number[] {
  const ok = Array.isArray(values) && values.length > 0 && values.length <= MAX_GRID_VALUES && values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (!ok) throw new InvalidOptionError(`The 'lambdas' option of ask must be 1 to ${MAX_GRID_VALUES} finite numbers ≥ 0, e.g. [0.001, 0.01, 0.1]. Got ${JSON.stringify(values)} instead.`);
  if (new Set(values).size !== values.length) throw new InvalidOptionError(`The 'lambdas' option of ask lists a value twice (${JSON.stringify(values)}): to evaluate each λ several times, use --repeats.`);
  return [...values];
}

/** An explicit range {lo, hi, n}: 0 < lo < hi, n an integer in [0, MAX_GRID_VALUES] (bayes reads only the ends). */
function checkRange(r: unknown): { lo: number; hi: number; n: number } {
  const o = r as { lo?: unknown; hi?: unknown; n?: unknown };
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (typeof r === 'object' && r !== null && num(o.lo) && num(o.hi) && num(o.n) && o.lo > 0 && o.hi > o.lo && Number.isInteger(o.n) && o.n >= 0 && o.n <= MAX_GRID_VALUES) return { lo: o.lo, hi: o.hi, n: o.n };
  throw new InvalidOptionError(`The 'log_range' option of ask must be {lo, hi, n} with 0 < lo < hi and n an integer in [0, ${MAX_GRID_VALUES}] (--log-range 0.001:100:11). Got ${JSON.stringify(r)} instead.`);
}

/** tune's default range read as seed λ, in the convention's units (ends swapped where the value falls as λ grows, sklearn-logistic's C), inside the stability limit. */
function defaultRange(plan: RunPlan, strategy: ExternalStrategy): { lo: number; hi: number; n: number } {
  const seed = defaultLogRange(strategy);
  const [a, b] = [seed.lo, seed.hi].map((v) => convert(v, 'seed', plan.convention, unitsOf(plan)).value);
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  const limit: LambdaLimit | undefined = plan.lambdaLimit;
  const [min, max] = safeExtensionLimits(limit);
  const top = limit?.side === 'max' ? Math.min(hi, max) : hi;
  const bottom = limit?.side === 'min' ? Math.max(lo, min) : lo;
  return { lo: Math.min(bottom, top / 1e5), hi: top, n: seed.n };
}

/** What a conversion needs from the loop: m, B, η and the optimizer. */
export function unitsOf(plan: RunPlan): ConversionContext & { lr: number } {
  return { m: plan.m, batchSize: plan.batchSize, lr: plan.lr, optimizer: plan.optimizer.name };
}

/** A value of the study's convention as seed λ. */
export function toSeed(c: ResolvedContext, value: number): number {
  return convert(value, c.plan.convention, 'seed', unitsOf(c.plan)).value;
}

/** Whether τ depends on the optimizer's state rather than on the context (Adam or AdamW with a coupled penalty: √v̂); the plan's τ is then NaN. */
export function tauUnknown(c: ResolvedContext): boolean {
  const name = c.plan.optimizer.name;
  return (name === 'adam' || name === 'adamw') && getConvention(c.plan.convention).coupling === 'coupled';
}

/** The study config that records the context (data.epochs is what the dashboard plans progress by). */
export function studyConfigOf(c: ResolvedContext): StudyConfig {
  const p = c.plan;
  return {
    strategy: { kind: c.strategy, lambdas: c.lambdas, logRange: c.range, trials: c.strategy === 'bayes' ? c.trials : null, repeats: c.repeats },
    data: { source: EXTERNAL, m: p.m, epochs: p.epochBudget, batchSize: p.batchSize, optimizer: p.optimizer.name, momentum: momentumOf(p.optimizer), lr: p.lr },
    model: EXTERNAL,
    convention: p.convention,
  };
}

/**
 * The context a study config records, back. Throws for a study that ask did not create (a tune
 * study): its trials are trained by l2lab, not handed out.
 */
export function contextOfConfig(name: string, config: StudyConfig): ResolvedContext {
  const d = config.data as Record<string, unknown> | null;
  const s = config.strategy as Record<string, unknown> | null;
  if (!d || d.source !== EXTERNAL || !s) {
    throw new ProtocolError('CONTEXT_MISMATCH', `Study '${name}' was not created by ask (it is a '${String(s?.kind ?? 'other')}' study of l2lab tune, whose trials l2lab trains itself). Name a new --study for your training loop.`);
  }
  const plan = loopPlan({
    convention: config.convention as StudyContext['convention'],
    m: d.m as number,
    batch_size: d.batchSize as number,
    optimizer: d.optimizer as ExternalOptimizer,
    lr: d.lr as number,
    ...(typeof d.momentum === 'number' ? { momentum: d.momentum } : {}),
    epochs: d.epochs as number,
  });
  return {
    plan,
    strategy: s.kind as ExternalStrategy,
    range: s.logRange as ResolvedContext['range'],
    lambdas: (s.lambdas as number[] | null) ?? null,
    trials: (s.trials as number | null) ?? DEFAULTS.trials,
    repeats: (s.repeats as number | undefined) ?? DEFAULTS.repeats,
  };
}

/** The context as the protocol writes it (snake_case, every default filled in): what an answer echoes and a mismatch names. */
export function describeContext(c: ResolvedContext): Required<Omit<StudyContext, 'momentum' | 'lambdas' | 'log_range'>> & Pick<StudyContext, 'momentum' | 'lambdas' | 'log_range'> {
  const p = c.plan;
  return {
    convention: p.convention,
    m: p.m,
    batch_size: p.batchSize,
    optimizer: p.optimizer.name as ExternalOptimizer,
    lr: p.lr,
    ...(momentumOf(p.optimizer) !== null ? { momentum: momentumOf(p.optimizer)! } : {}),
    epochs: p.epochBudget,
    ...(c.lambdas ? { lambdas: c.lambdas } : { log_range: c.range }),
    strategy: c.strategy,
    trials: c.trials,
    repeats: c.repeats,
  };
}

/** Throws CONTEXT_MISMATCH naming each field an ask's context gives differently from the study's. */
export function assertSameContext(name: string, stored: ResolvedContext, given: ResolvedContext): void {
  const a = describeContext(stored) as Record<string, unknown>;
  const b = describeContext(given) as Record<string, unknown>;
  const same = (x: unknown, y: unknown) => x === y || (x !== undefined && y !== undefined && canonicalJson(x as Json, 'context') === canonicalJson(y as Json, 'context'));
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !same(a[k], b[k]));
  if (keys.length === 0) return;
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  throw new ProtocolError(
    'CONTEXT_MISMATCH',
    `Study '${name}' was created with another context: ${keys.map((k) => `${k} ${show(a[k])} there, ${show(b[k])} in this ask`).join('; ')}. Only the first ask of a study needs the context: leave it out to go on with this study, or name a new --study for the new context.`,
  );
}
