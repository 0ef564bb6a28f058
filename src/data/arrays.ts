/** Builds a dataset from plain arrays (`{x, y}`), checking shapes and values: the JSON loader's core. */
import { InvalidDataError } from '../errors.js';
import type { Dataset, Task } from './dataset.js';
import { IssueLog } from './issue-log.js';
import type { LoadOptions } from './load-options.js';
import { checkNumber } from './numbers.js';
import { encodeTargets, withTargets } from './targets.js';

/** A dataset as plain arrays, the shape of a JSON dataset file. */
export interface ArraysInput {
  /** Features, one array of d numbers per sample. */
  x: number[][];
  /** Targets: numbers (regression, or integer labels) or class names. */
  y: number[] | string[];
  /** Default: inferred as for CSV (string targets → classification). */
  task?: Task;
  /** Feature names. Default: `x0`, `x1`, …. */
  features?: string[];
}

/** `task`, `numClasses` and `classes` as for CSV; `name` (default `'arrays'`) names the dataset in messages. */
export type ArraysOptions = Pick<LoadOptions, 'task' | 'numClasses' | 'classes'> & { name?: string };

/**
 * A dataset from plain arrays; `options.task` overrides `input.task`.
 * @example fromArrays({ x: [[0, 1], [1, 0]], y: ['no', 'yes'] })
 */
export function fromArrays(input: ArraysInput, options: ArraysOptions = {}): Dataset {
  return readArrays(input, options.name ?? 'arrays', options, new IssueLog(false));
}

/** Checks `input` (parsed JSON of any shape), reporting bad values to `log`. */
export function readArrays(input: unknown, source: string, options: Pick<LoadOptions, 'task' | 'numClasses' | 'classes'>, log: IssueLog): Dataset {
  const expected = `Expected an object {"x": number[][], "y": number[] | string[]} with one y per row of x.`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidDataError(`${source}: the top level is not an object. ${expected}`);
  }
  const { x, y, task, features } = input as Record<string, unknown>;
  if (!Array.isArray(x) || x.length === 0 || !Array.isArray(x[0]) || x[0].length === 0) {
    throw new InvalidDataError(`${source}: "x" is ${describe(x)}, not a non-empty array of non-empty rows. ${expected}`);
  }
  if (!Array.isArray(y) || y.length !== x.length) {
    throw new InvalidDataError(`${source}: "y" is ${describe(y)}, but "x" has ${x.length} rows. ${expected}`);
  }
  if (task !== undefined && task !== 'regression' && task !== 'classification') {
    throw new InvalidDataError(`${source}: "task" is ${JSON.stringify(task)}. Write "regression" or "classification", or leave it out to infer it from "y".`);
  }
  const n = x.length;
  const d = (x[0] as unknown[]).length;
  if (features !== undefined && (!Array.isArray(features) || features.length !== d || !features.every((f) => typeof f === 'string'))) {
    throw new InvalidDataError(`${source}: "features" is ${describe(features)}, but each row of "x" has ${d} values. Give one name (a string) per feature, or leave "features" out.`);
  }
  const data = new Float32Array(n * d);
  x.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== d) {
      log.add(`${source}, x[${i}]: the row is ${describe(row)} but x[0] has ${d} values. Give every row the same ${d} features.`);
      return;
    }
    row.forEach((v: unknown, j) => (data[i * d + j] = checkNumber(v, () => `${source}, x[${i}][${j}]`, log)));
  });
  const kind = typeof y[0];
  y.forEach((v: unknown, i) => {
    if (typeof v !== kind || (kind !== 'number' && kind !== 'string')) {
      log.add(`${source}, y[${i}]: ${JSON.stringify(v)} is not a ${kind === 'string' ? 'string' : 'number'} like y[0]. Write all targets as numbers or all as class-name strings.`);
    } else if (kind === 'number') checkNumber(v, () => `${source}, y[${i}]`, log);
  });
  const values = kind === 'string' ? y.map(String) : y.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN));
  return withTargets(
    { name: source, n, d, x: data, featureNames: (features as string[] | undefined) ?? Array.from({ length: d }, (_, j) => `x${j}`), targetName: 'y' },
    encodeTargets(values, { task: options.task ?? task, numClasses: options.numClasses, classes: options.classes }, source, (i) => `${source}, y[${i}]`, log),
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === undefined ? 'missing' : `${JSON.stringify(value)?.slice(0, 40)}`;
}
