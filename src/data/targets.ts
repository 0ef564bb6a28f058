/** Turns raw target values into regression targets or class indices, following the load options. */
import { invalidNumber, InvalidOptionError } from '../errors.js';
import type { Dataset, Task } from './dataset.js';
import type { IssueLog } from './issue-log.js';
import type { LoadOptions } from './load-options.js';
import { parseDecimal } from './numbers.js';

export type EncodedTargets =
  | { task: 'regression'; y: Float32Array }
  | { task: 'classification'; y: Int32Array; classes: string[] };

/**
 * @param values  parsed numeric targets (NaN where a bad value was already reported), or class names
 * @param source  the file, for dataset-wide issues
 * @param where   names sample i's target for messages, e.g. "a.csv, line 7, column 14 ('target')"
 */
export function encodeTargets(
  values: number[] | string[],
  options: Pick<LoadOptions, 'task' | 'numClasses' | 'classes'>,
  source: string,
  where: (i: number) => string,
  log: IssueLog,
): EncodedTargets {
  const { numClasses } = options;
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 2)) {
    throw invalidNumber('numClasses', 'loadDataset', 'the integers [2, ∞)', numClasses);
  }
  if (numClasses !== undefined && options.task === 'regression') {
    throw new InvalidOptionError(`The 'numClasses' option (${numClasses}) only applies to classification, but 'task' is 'regression'. Drop one of the two.`);
  }
  if (options.classes !== undefined) {
    if (numClasses !== undefined || options.task === 'regression') throw new InvalidOptionError(`The 'classes' option names classification classes: give it without ${numClasses !== undefined ? "'numClasses'" : "'task' 'regression'"}.`);
    return encodeKnown(values, options.classes, where, log);
  }
  const task: Task = options.task ?? (numClasses !== undefined || isStrings(values) ? 'classification' : 'regression');
  if (isStrings(values)) {
    if (task === 'regression') {
      const i = Math.max(0, values.findIndex((v) => parseDecimal(v) === undefined));
      log.add(`${where(i)}: target "${values[i]}" is not a number, but the task is regression. Make every target numeric, or set the 'task' option to 'classification'.`);
      return { task, y: new Float32Array(values.length).fill(NaN) };
    }
    return encodeNames(values, numClasses, source, log);
  }
  if (task === 'regression') return { task, y: Float32Array.from(values) };
  return encodeIntegers(values, numClasses, source, where, log);
}

function isStrings(values: number[] | string[]): values is string[] {
  return typeof values[0] === 'string';
}

function encodeNames(values: string[], numClasses: number | undefined, source: string, log: IssueLog): EncodedTargets {
  const classes = [...new Set(values)].sort();
  if (numClasses !== undefined && classes.length !== numClasses) {
    log.add(`${source}: the target has ${classes.length} classes (${preview(classes)}) but 'numClasses' is ${numClasses}. Fix the labels or the 'numClasses' option.`);
  } else checkTwoClasses(classes, source, log);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { task: 'classification', y: Int32Array.from(values, (v) => index.get(v) as number), classes };
}

function encodeIntegers(
  values: number[],
  numClasses: number | undefined,
  source: string,
  where: (i: number) => string,
  log: IssueLog,
): EncodedTargets {
  values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    if (!Number.isInteger(v)) {
      log.add(`${where(i)}: target ${v} is not an integer, but the task is classification. Use integer class labels, or set the 'task' option to 'regression'.`);
    } else if (numClasses !== undefined && (v < 0 || v >= numClasses)) {
      log.add(`${where(i)}: class label ${v} is out of range: 'numClasses' is ${numClasses}, so labels must be integers in [0, ${numClasses - 1}]. Fix the label or raise 'numClasses'.`);
    }
  });
  if (numClasses !== undefined) {
    const classes = Array.from({ length: numClasses }, (_, i) => String(i));
    return { task: 'classification', y: Int32Array.from(values), classes };
  }
  const distinct = [...new Set(values.filter(Number.isInteger))].sort((a, b) => a - b);
  const classes = distinct.map(String);
  checkTwoClasses(classes, source, log);
  const index = new Map(distinct.map((c, i) => [c, i]));
  return { task: 'classification', y: Int32Array.from(values, (v) => index.get(v) ?? -1), classes };
}

/** Targets as indices into known class names; a target naming none of them is an issue. */
function encodeKnown(values: number[] | string[], classes: readonly string[], where: (i: number) => string, log: IssueLog): EncodedTargets {
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(values as (number | string)[], (v, i) => {
    if (typeof v === 'number' && Number.isNaN(v)) return -1; // already reported as a bad value
    const k = index.get(String(v));
    if (k === undefined) log.add(`${where(i)}: class label '${v}' is not one of the classes ${preview([...classes])}. Drop the samples of other classes.`);
    return k ?? -1;
  });
  return { task: 'classification', y, classes: [...classes] };
}

function checkTwoClasses(classes: string[], source: string, log: IssueLog): void {
  if (classes.length < 2) {
    log.add(`${source}: the target has ${classes.length === 0 ? 'no classes' : `only one class (${classes[0]})`}; classification needs at least two. Check that the right column is the target, or use the 'regression' task.`);
  }
}

function preview(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, …`;
}

/** A dataset from its features and encoded targets. */
export function withTargets(features: Omit<Dataset, 'task' | 'y' | 'classes'>, targets: EncodedTargets): Dataset {
  return targets.task === 'regression'
    ? { ...features, task: 'regression', y: targets.y }
    : { ...features, task: 'classification', y: targets.y, classes: targets.classes };
}
