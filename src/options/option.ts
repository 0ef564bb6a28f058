/** What one option declaration holds, the value type of every option, and the one range check every entry point runs on its value. */
import os from 'node:os';
import { InvalidOptionError, invalidNumber } from '../errors.js';
import type { LogRange } from './lambda-grid.js';
import type { Activation, ConventionId, DecayTarget, Initializer, OptimizerName, PrunerName, ScheduleKind, SelectionRule, SolverName, StrategyName, TASKS } from './names.js';

/** The entry points whose options the registry declares (CLI command = library function). */
export type CommandName = 'train' | 'tune' | 'inspect' | 'ask';

/** Model families an option can be limited to (`mlp:W1,…` is 'mlp'; a path ending in .onnx is 'onnx'). */
export type ModelKind = 'linear' | 'logistic' | 'softmax' | 'mlp' | 'cnn' | 'onnx';

/** The value each declared option takes, under its library name: what the CLI parses a flag into and what a default must be. */
export interface OptionValues {
  data: string;
  target: string;
  task: (typeof TASKS)[number];
  validation: number;
  test: number;
  seed: number;
  model: string;
  activation: Activation;
  dropout: number[];
  dropouts: number[];
  penalize: string[];
  exclude: string[];
  init: Initializer;
  lambda: number;
  convention: ConventionId;
  decayTo: DecayTarget;
  penalizeBiases: boolean;
  solver: SolverName;
  optimizer: OptimizerName;
  momentum: number;
  lr: number;
  schedule: ScheduleKind;
  stepEvery: number;
  gamma: number;
  epochs: number | 'auto';
  maxEpochs: number;
  batchSize: number;
  patience: number;
  minDelta: number;
  restoreBest: boolean;
  threads: number;
  strategy: StrategyName;
  lambdas: number[];
  logRange: LogRange;
  folds: number;
  holdout: number;
  select: SelectionRule;
  extend: boolean;
  eta: number;
  minEpochs: number;
  trials: number;
  pruner: PrunerName;
  pathEpochs: number;
  populationSize: number;
  workers: number | 'auto';
  storage: string;
  study: string;
  heartbeatTimeout: number;
  m: number;
  repeats: number;
  clientId: string;
  measureLimit: number;
}

/** The library name of a declared option. */
export type OptionKey = keyof OptionValues;

/** The value an option takes, with its valid range. */
export type OptionType =
  /** A finite number in a range; `integer` limits it to whole numbers; `upTo` names a bound known only at run time (m, cores); `words` are accepted in place of a number (`--epochs auto`). */
  | { kind: 'number'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; integer?: boolean; upTo?: string; words?: readonly string[] }
  /** One of a fixed set of words. */
  | { kind: 'choice'; choices: readonly string[] }
  /** A comma-separated list of numbers in [min, max) (e.g. dropout probabilities). */
  | { kind: 'numbers'; min: number; max: number; maxOpen?: boolean }
  /** A boolean flag; on the command line its presence sets the value `when` (false for `--no-…`). */
  | { kind: 'flag'; when: boolean }
  /** Free text (a path, a name), or text the command turns into a value with `parse`. */
  | { kind: 'text'; parse?: (text: string) => unknown };

/**
 * One option, declared once. The CLI's parsing and `--help`, the library's checks in fit(), tune()
 * and inspect(), the run plan's defaults, the atlas spec's keys and the dashboard's labels are all read from here.
 */
export interface OptionDeclOf<K extends OptionKey> {
  /** The library's field name (camelCase), e.g. `batchSize`. */
  key: K;
  /** The command-line flag without `--`, e.g. `batch-size`. */
  flag: string;
  /** Placeholder in `--help` (`N`, `η`, `PATH`). */
  meta?: string;
  type: OptionType;
  /** The default, when it is one value: the library reads it (DEFAULTS) and `--help` shows it. */
  default?: OptionValues[K];
  /** The default in words, when it depends on other values or the data (lr on the optimizer, the batch size on m); `--help` shows it. */
  defaultText?: string;
  /** One line for `--help`. */
  doc: string;
  /** Short name for tables and the dashboard. */
  label: string;
  /** Commands (and library entry points) that take it. */
  commands: readonly CommandName[];
  /** tune strategies that use it; absent: every strategy. */
  strategies?: readonly StrategyName[];
  /** Model families that use it; absent: every model. */
  models?: readonly ModelKind[];
  /** It only means something together with this option (and value): `--step-every` needs `--schedule step`. */
  requires?: { key: OptionKey; value?: string };
  /** Keys it cannot be given together with. */
  excludes?: readonly OptionKey[];
  /** The atlas spec's `training` section takes it under `key`. */
  atlas?: boolean;
  /** What differs for one command (e.g. `train --epochs 0` evaluates the initialization); a default given here is that command's. */
  byCommand?: Partial<Record<CommandName, Partial<Omit<OptionDeclOf<K>, 'key' | 'byCommand'>>>>;
}

/** Any option's declaration: its `default` is typed by its `key`. */
export type OptionDecl = { [K in OptionKey]: OptionDeclOf<K> }[OptionKey];

/** The default as `--help` and the errors write it ("0.1", "0.001:100:11", "off", "min(128, m)"); undefined without one. */
export function defaultLabel(o: OptionDecl): string | undefined {
  if (o.defaultText !== undefined || o.default === undefined) return o.defaultText;
  if (o.key === 'logRange') return `${o.default.lo}:${o.default.hi}:${o.default.n}`;
  const v = o.default;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** "[0, 1)", "integers [1, ∞)", … as the error template and `--help` write ranges. */
export function describeRange(t: OptionType): string {
  if (t.kind === 'number') {
    const lo = t.min === undefined ? '(-∞' : `${t.minOpen ? '(' : '['}${t.min}`;
    const hi = t.upTo !== undefined ? `${t.upTo}]` : t.max === undefined ? '∞)' : `${t.max}${t.maxOpen ? ')' : ']'}`;
    return `${t.integer ? 'integers ' : ''}${lo}, ${hi}${t.words?.length ? ` or ${t.words.join(', ')}` : ''}`;
  }
  if (t.kind === 'numbers') return `[${t.min}, ${t.max}${t.maxOpen ? ')' : ']'}`;
  if (t.kind === 'choice') return t.choices.join(' | ');
  return '';
}

function inNumberRange(t: Extract<OptionType, { kind: 'number' }>, v: number): boolean {
  if (!Number.isFinite(v) || (t.integer && !Number.isInteger(v))) return false;
  if (t.min !== undefined && (t.minOpen ? v <= t.min : v < t.min)) return false;
  if (t.max !== undefined && (t.maxOpen ? v >= t.max : v > t.max)) return false;
  return true;
}

/** The `upTo` bounds known without the data ('m', the training rows, is checked where the data is split). */
const RUN_TIME_BOUNDS: Record<string, { value: () => number; what: string } | undefined> = {
  cores: { value: () => os.availableParallelism(), what: "this machine's cores" },
};

/** Throws the one-template error when `value` is outside the declared range (`owner` names the command). */
export function checkValue(o: OptionDecl, value: unknown, owner: string): void {
  const t = o.type;
  if (t.kind === 'number') {
    if (typeof value === 'string' && t.words?.includes(value)) return;
    const bound = t.upTo === undefined ? undefined : RUN_TIME_BOUNDS[t.upTo];
    const hi = bound?.value();
    if (typeof value !== 'number' || !inNumberRange(t, value)) {
      if (!bound || hi === undefined) throw invalidNumber(o.flag, owner, describeRange(t), value);
      // Name the bound's value on this machine ("[1, 2]", not "[1, cores]") and a value that works.
      const range = `${describeRange({ ...t, upTo: undefined, max: hi })} (${hi} = ${bound.what})`;
      const shown = defaultLabel(o);
      throw new InvalidOptionError(`${invalidNumber(o.flag, owner, range, value).message} Use --${o.flag} ${hi}${shown ? `, or leave it out (default: ${shown})` : ''}.`);
    }
    if (bound && hi !== undefined && value > hi) throw new InvalidOptionError(`--${o.flag} ${value} is more than ${bound.what} (${hi}). Use --${o.flag} ${hi} or less.`);
  } else if (t.kind === 'numbers') {
    const list = typeof value === 'number' ? [value] : value;
    const ok = Array.isArray(list) && list.length > 0 && list.every((p) => typeof p === 'number' && p >= t.min && (t.maxOpen ? p < t.max : p <= t.max));
    if (!ok) throw new InvalidOptionError(`The '${o.flag}' option of ${owner} must be numbers in ${describeRange(t)}, comma-separated (e.g. --${o.flag} 0,0.2). Got '${String(value)}' instead.`);
  } else if (t.kind === 'choice') {
    if (typeof value !== 'string' || !t.choices.includes(value)) throw new InvalidOptionError(`Unknown --${o.flag} '${String(value)}'. Use one of: ${t.choices.join(', ')}.`);
  } else if (t.kind === 'flag') {
    if (typeof value !== 'boolean') throw new InvalidOptionError(`The '${o.flag}' option of ${owner} must be true or false. Got ${String(value)} instead.`);
  }
}
