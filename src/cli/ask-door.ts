/** What `l2lab ask|report|tell|best` share: the study and store flags, a store that must already exist, and numbers passed on for the service to judge. */
import fs from 'node:fs';
import { InvalidOptionError } from '../errors.js';
import { optionOf } from '../options/index.js';
import { DEFAULT_STORAGE, openStorage, type StudyStorage } from '../study/index.js';
import type { OptionSpec, ParsedValues } from './command.js';
import { helpLine, type CliFlag } from './options.js';

/** `--study` and `--storage` as ask declares them, for the commands that only name a study. */
export function studyFlags(): CliFlag[] {
  return (['study', 'storage'] as const).map((key) => {
    const o = optionOf('ask', key)!;
    return { flag: o.flag, meta: o.meta, doc: `${o.doc}${o.default ? ` (default ${o.default})` : ''}` };
  });
}

/** Whether a `--storage` value names a SQLite file (not a postgres:// URL or :memory:). */
function isFile(spec: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && spec !== ':memory:';
}

/**
 * Opens the study store; with `create` false a SQLite file that does not exist is an error rather
 * than a new empty store: report, tell, best and an ask without context never write a stray file.
 */
export async function openStore(spec: string | undefined, create: boolean): Promise<StudyStorage> {
  const s = spec === undefined || spec.trim() === '' ? DEFAULT_STORAGE : spec;
  if (!create && isFile(s) && !fs.existsSync(s)) {
    throw new InvalidOptionError(`No study store at ${s}: nothing has been asked there yet. Pass the --storage the first ask used (default ${DEFAULT_STORAGE}).`);
  }
  return openStorage(s);
}

/**
 * A number flag as a number for the service to check (so `--val-loss nan` gets its "tell it as
 * failed" advice), or undefined when absent; text that is no number at all is refused here.
 */
export function numberFlag(v: ParsedValues, flag: string, command: string): number | undefined {
  const raw = v[flag];
  if (typeof raw !== 'string') return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || (Number.isNaN(x) && !/^\s*[+-]?nan\s*$/i.test(raw))) throw new InvalidOptionError(`The '${flag}' option of ${command} must be a number. Got '${raw}' instead.`);
  return Number.isNaN(x) ? NaN : x;
}

/** parseArgs' table of flags (report, tell and best take no option of the registry's). */
export function flagsTable(flags: readonly CliFlag[]): OptionSpec {
  return Object.fromEntries(flags.map((f) => [f.flag, { type: f.meta === undefined ? 'boolean' : 'string' } as const]));
}

/** The `--help` lines of those flags. */
export function flagsHelp(flags: readonly CliFlag[]): string {
  return flags.map((f) => helpLine(f.flag, f.meta, [f.doc])).join('\n');
}

/** A required number flag (see {@link numberFlag}). */
export function requiredNumber(v: ParsedValues, flag: string, command: string, example: string): number {
  const x = numberFlag(v, flag, command);
  if (x === undefined) throw new InvalidOptionError(`'l2lab ${command}' needs --${flag} (e.g. --${flag} ${example}). Run 'l2lab ${command} --help' for the options.`);
  return x;
}

/** The required `--study` of report, tell and best. */
export function studyName(v: ParsedValues, command: string): string {
  const s = v.study;
  if (typeof s !== 'string' || s === '') throw new InvalidOptionError(`'l2lab ${command}' needs --study (the name the first ask gave). 'l2lab studies' lists them.`);
  return s;
}
