/** The contract every `l2lab <command>` module fulfils: parse with node:util, call the library, print. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidOptionError, invalidNumber } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  /** Full help: usage line and each option with its default. */
  help: string;
  options: OptionSpec;
  /** Returns the process exit code. */
  run(values: ParsedValues, positionals: string[]): Promise<number>;
}

/** `--lambda -1` → `--lambda=-1`, so a negative number reaches the option's own range check. */
function joinNegativeValues(cmd: Command, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') && !argv[i].includes('=') ? argv[i].slice(2) : undefined;
    if (name && cmd.options[name]?.type === 'string' && /^-(\d|\.\d|inf|Infinity|NaN)/i.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export function parseCommandArgs(cmd: Command, argv: string[]): { values: ParsedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(cmd, argv), options: cmd.options, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals };
  } catch (e) {
    throw new InvalidOptionError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\.$/, '')}. Run 'l2lab ${cmd.name} --help' for the options.`);
  }
}

/** Reads a numeric option; undefined when absent. Rejects text that is not a finite number. */
export function numberOption(values: ParsedValues, name: string, command: string, range = '(-∞, ∞)'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v)) throw invalidNumber(name, command, range, raw);
  return v;
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

export function requireOption(values: ParsedValues, name: string, command: string): string {
  const v = stringOption(values, name);
  if (v === undefined) throw new InvalidOptionError(`'l2lab ${command}' needs --${name}. Run 'l2lab ${command} --help' for an example.`);
  return v;
}
