/** The library's option checks, read from the registry: ranges, and options given where they do not apply. */
import { InvalidOptionError } from '../errors.js';
import type { StrategyName } from './names.js';
import { checkValue, type CommandName, type ModelKind, type OptionDecl } from './option.js';
import { OPTIONS, optionsOf } from './registry.js';

/** Where the options are used: the strategy (tune) and the model spec. */
export interface OptionContext {
  strategy?: StrategyName;
  model?: string;
}

/** The family of a model spec (`mlp:64` → mlp); undefined for a spec the model parser will reject. */
export function modelKind(spec: string | undefined): ModelKind | undefined {
  if (spec !== undefined && /\.onnx$/i.test(spec)) return 'onnx';
  const kind = spec?.split(':')[0];
  return kind === 'linear' || kind === 'logistic' || kind === 'softmax' || kind === 'mlp' || kind === 'cnn' ? kind : undefined;
}

/** "mlp:… and cnn:… models", "linear and logistic models": the families an option applies to. */
function describeModels(models: readonly ModelKind[]): string {
  return `${models.map((m) => (m === 'mlp' || m === 'cnn' ? `${m}:…` : m === 'onnx' ? '.onnx' : m)).join(' and ')} models`;
}

/** Why `o` does not apply in this context, or undefined when it does. */
function misplaced(command: CommandName, o: OptionDecl, where: OptionContext): string | undefined {
  if (o.strategies && where.strategy && !o.strategies.includes(where.strategy)) {
    return `--${o.flag} applies to --strategy ${o.strategies.join(', ')}, not to --strategy ${where.strategy}`;
  }
  const kind = modelKind(where.model);
  if (o.models && kind && !o.models.includes(kind)) return `--${o.flag} applies to ${describeModels(o.models)}, not to --model ${where.model}`;
  return undefined;
}

/**
 * Checks every declared option `values` holds (undefined means absent): its range, that `command`
 * takes it, that the strategy and model use it, and that it does not come with an option it excludes.
 * Keys the registry does not declare (callbacks, loaded datasets) are left to the caller.
 *
 * @throws InvalidOptionError naming the option, what it got and where it does apply.
 */
export function checkOptions(command: CommandName, values: Record<string, unknown>, where: OptionContext = {}): void {
  const own = optionsOf(command);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const o = own.find((d) => d.key === key);
    if (!o) {
      const elsewhere = OPTIONS.filter((d) => d.key === key);
      if (elsewhere.length === 0) continue;
      throw new InvalidOptionError(`--${elsewhere[0].flag} is not an option of ${command}: it applies to ${[...new Set(elsewhere.flatMap((d) => d.commands))].join(', ')}. Remove it.`);
    }
    checkValue(o, value, command);
    const why = misplaced(command, o, where);
    if (why) throw new InvalidOptionError(`${why}. Remove --${o.flag}${o.strategies && (command === 'tune' || command === 'ask') ? ` or use --strategy ${o.strategies[0]}` : ''}.`);
    const need = o.requires && own.find((d) => d.key === o.requires!.key);
    if (need && (values[need.key] === undefined || (o.requires!.value !== undefined && values[need.key] !== o.requires!.value))) {
      const with_ = `--${need.flag}${o.requires!.value !== undefined ? ` ${o.requires!.value}` : ''}`;
      throw new InvalidOptionError(`--${o.flag} applies with ${with_} only. Add ${with_} or remove --${o.flag}.`);
    }
    for (const other of o.excludes ?? []) {
      const x = own.find((d) => d.key === other);
      if (x && values[other] !== undefined) throw new InvalidOptionError(`Give either --${o.flag} or --${x.flag}, not both (${o.flag}: ${o.doc}; ${x.flag}: ${x.doc}).`);
    }
  }
}

/**
 * The entries of `values` that `command` takes and that apply to this strategy and model: how a
 * caller with settings shared by several strategies (the atlas) hands each only what it uses.
 */
export function applicableOptions<T extends Record<string, unknown>>(command: CommandName, values: T, where: OptionContext): Partial<T> {
  const own = optionsOf(command);
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(values) as [keyof T & string, T[keyof T & string]][]) {
    const o = own.find((d) => d.key === key);
    if (!o || misplaced(command, o, where) === undefined) out[key] = value;
  }
  return out;
}
