/** The command line read from the option registry: parseArgs' table, typed values and the option lines of `--help`. */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { defaultLabel, describeRange, optionsOf, type CommandName, type OptionDecl, type OptionValues } from '../options/index.js';
import { invalidNumber } from '../errors.js';
import type { OptionSpec, ParsedValues } from './command.js';

/** Flags a command has besides the library's options (output, format). */
export interface CliFlag {
  flag: string;
  meta?: string;
  doc: string;
}

/** parseArgs' option table: the registry's options of `command` plus its own CLI-only flags. */
export function argsTable(command: CommandName, extra: readonly CliFlag[] = []): OptionSpec {
  const table: OptionSpec = {};
  for (const o of optionsOf(command)) table[o.flag] = { type: o.type.kind === 'flag' ? 'boolean' : 'string' };
  for (const f of extra) table[f.flag] = { type: f.meta === undefined ? 'boolean' : 'string' };
  return table;
}

/** One option's command-line text as its typed value. */
function parseValue(o: OptionDecl, raw: string | boolean, command: CommandName): unknown {
  const t = o.type;
  if (t.kind === 'flag') return t.when;
  const text = String(raw);
  if (t.kind === 'number') {
    if (t.words?.includes(text)) return text;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw invalidNumber(o.flag, command, describeRange(t), text);
    return v;
  }
  if (t.kind === 'numbers') {
    return text.split(',').map((s) => {
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v)) throw new InvalidOptionError(`The '${o.flag}' option of ${command} must be numbers in ${describeRange(t)}, comma-separated (e.g. --${o.flag} 0,0.2). Got '${text}' instead.`);
      return v;
    });
  }
  if (t.kind === 'text' && t.parse) return t.parse(text);
  return text;
}

/** The registry's options of `command` found in `values`, typed under their library names (absent ones left out). */
export function readOptions(command: CommandName, values: ParsedValues): Partial<OptionValues> {
  const out: Record<string, unknown> = {};
  for (const o of optionsOf(command)) {
    const raw = values[o.flag];
    if (raw === undefined || Array.isArray(raw)) continue;
    out[o.key] = parseValue(o, raw, command);
  }
  // Each value was parsed by its own declaration's type, which OptionValues mirrors key by key.
  return out as Partial<OptionValues>;
}

/** `--flag META` padded, then choices, default and doc: one `--help` line. */
export function helpLine(flag: string, meta: string | undefined, parts: (string | undefined)[]): string {
  const head = `  --${flag}${meta ? ` ${meta}` : ''}`;
  return `${head.padEnd(22)}${head.length >= 22 ? ' ' : ''}${parts.filter(Boolean).join('; ')}`;
}

/** The option lines of `l2lab <command> --help`, in registry order, then the CLI-only flags. */
export function optionHelp(command: CommandName, extra: readonly CliFlag[] = []): string {
  return [
    ...optionsOf(command).map((o) =>
      helpLine(o.flag, o.meta, [
        o.type.kind === 'choice' ? describeRange(o.type) : undefined,
        defaultLabel(o) !== undefined ? `default ${defaultLabel(o)}` : undefined,
        o.doc,
        o.models ? `(${o.models.join(', ')} models)` : undefined,
      ]),
    ),
    ...extra.map((f) => helpLine(f.flag, f.meta, [f.doc])),
  ].join('\n');
}

/** The value of a CLI-only flag that takes text. */
export function flagText(values: ParsedValues, flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' ? v : undefined;
}

/** A required option's value, or the error naming it. */
export function required<T>(value: T | undefined, flag: string, command: CommandName, example: string): T {
  if (value === undefined) throw new InvalidOptionError(`'l2lab ${command}' needs --${flag} (e.g. --${flag} ${example}). Run 'l2lab ${command} --help' for the options.`);
  return value;
}

