/** How much λ* moves between seeds of one setting (dataset, model, m): the noise floor any heuristic is judged against. */
import { median } from '../../util/median.js';
import type { LambdaPoint } from './points.js';

export interface SettingSpread {
  setting: string;
  dataset: string;
  model: string;
  m: number;
  params: number;
  units: number;
  depth: number;
  /** Seeds with a finished λ*. */
  seeds: number;
  /** Geometric mean of λ* over seeds (seed convention). */
  lambda: number;
  /** The same in PyTorch's convention (λ/m). */
  lambdaPytorch: number;
  /** Smallest and largest λ* over seeds. */
  min: number;
  max: number;
  /** Sample standard deviation of log10 λ* over seeds (0 for one seed). */
  log10Sd: number;
  /** Any seed's λ* sat on the edge of its range. */
  edge: boolean;
}

const log10 = Math.log10;

/** One row per setting, in first-seen order. */
export function seedSpread(points: readonly LambdaPoint[]): SettingSpread[] {
  const groups = new Map<string, LambdaPoint[]>();
  for (const p of points) groups.set(p.setting, [...(groups.get(p.setting) ?? []), p]);
  return [...groups.values()].map((g) => {
    const logs = g.map((p) => log10(p.lambda));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = logs.length > 1 ? Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1)) : 0;
    const p0 = g[0];
    return {
      setting: p0.setting,
      dataset: p0.dataset,
      model: p0.model,
      m: p0.m,
      params: p0.params,
      units: p0.units,
      depth: p0.depth,
      seeds: g.length,
      lambda: 10 ** mean,
      lambdaPytorch: 10 ** mean / p0.m,
      min: Math.min(...g.map((p) => p.lambda)),
      max: Math.max(...g.map((p) => p.lambda)),
      log10Sd: sd,
      edge: g.some((p) => p.edge),
    };
  });
}

/**
 * The best any rule of (dataset, model, m) alone can do: each cell's λ* against the geometric mean of
 * the other seeds of its setting. `within2` is the fraction within a factor 2; null with a single seed.
 */
export function seedNoiseFloor(points: readonly LambdaPoint[]): { cells: number; within2: number | null; medianAbsLog10: number | null } {
  const groups = new Map<string, LambdaPoint[]>();
  for (const p of points) groups.set(p.setting, [...(groups.get(p.setting) ?? []), p]);
  const errors: number[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    for (const p of g) {
      const others = g.filter((q) => q !== p).map((q) => log10(q.lambda));
      errors.push(Math.abs(log10(p.lambda) - others.reduce((a, b) => a + b, 0) / others.length));
    }
  }
  if (errors.length === 0) return { cells: 0, within2: null, medianAbsLog10: null };
  return { cells: errors.length, within2: errors.filter((e) => e <= log10(2) + 1e-12).length / errors.length, medianAbsLog10: median(errors) };
}

