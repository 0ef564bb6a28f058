/**
 * A strategy against the reference (grid-CV) cell by cell: the test loss of each one's refit at its
 * own λ, and the compute each spent. Targets (issue 5): test loss within 2% of the reference's, at
 * ≤ 1/5 of its sample gradients. Every cell that misses either, or has no result, is listed with why.
 */
import { formatNumber } from '../../util/format-number.js';
import { median } from '../../util/median.js';
import type { AtlasCellResult } from '../run.js';
import type { StrategyOutcomeRecord } from '../outcome-record.js';
import type { AtlasStrategyName } from '../spec.js';

export interface CompareTargets {
  /** Largest allowed (L_candidate − L_reference)/L_reference. Default 0.02. */
  relativeLoss: number;
  /** Largest allowed sample-gradient ratio candidate/reference. Default 0.2. */
  costRatio: number;
}

export const DEFAULT_TARGETS: CompareTargets = { relativeLoss: 0.02, costRatio: 0.2 };

export interface ComparisonRow {
  cell: string;
  dataset: string;
  model: string;
  m: number;
  seed: number;
  params: number;
  candidate: AtlasStrategyName;
  reference: AtlasStrategyName;
  lambdaReference: number | null;
  lambdaCandidate: number | null;
  testLossReference: number | null;
  testLossCandidate: number | null;
  /** (L_candidate − L_reference)/L_reference: negative when the candidate's λ tested better. */
  relativeLoss: number | null;
  costReference: number | null;
  costCandidate: number | null;
  /** Candidate's sample gradients over the reference's (the target's measure). */
  costRatio: number | null;
  /**
   * Candidate's wall-clock seconds over the reference's: sample gradients leave out work that is not
   * a training step (a curvature pass, an eigendecomposition), and population training makes grid
   * cheaper per sample gradient, so both ratios are reported.
   */
  secondsRatio: number | null;
  lossOk: boolean;
  costOk: boolean;
  ok: boolean;
  /** Why the cell fails a target (empty when it meets both). */
  reasons: string[];
}

export interface Comparison {
  candidate: AtlasStrategyName;
  reference: AtlasStrategyName;
  targets: CompareTargets;
  rows: ComparisonRow[];
  /** Cells compared (both finished). */
  compared: number;
  lossOk: number;
  costOk: number;
  bothOk: number;
  /** Rows that miss a target or lack a result. */
  failures: ComparisonRow[];
  /** Median relative loss and median cost ratio over compared cells (null when none). */
  medianRelativeLoss: number | null;
  medianCostRatio: number | null;
  medianSecondsRatio: number | null;
}

const fmtPct = (v: number) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
const fmtG = (v: number) => formatNumber(v, { digits: 3, expAbove: Infinity, expBelow: 0 });

function unusable(r: StrategyOutcomeRecord | undefined, name: string): string | undefined {
  if (!r) return `${name} was not run on this cell`;
  if (r.status === 'missing') return `${name} has not run on this cell yet`;
  if (r.status === 'failed') return `${name} failed: ${r.error ?? 'unknown error'}`;
  if (r.test_loss === null || r.best_lambda === null) return `${name} has no test loss`;
  return undefined;
}

/** A resumed study counts only the work after the resume (grid's record holds its nominal full cost instead). */
function unmeasured(r: StrategyOutcomeRecord | undefined): boolean {
  return r !== undefined && r.status === 'done' && r.resumed && r.strategy !== 'grid';
}

function medianOrNull(xs: number[]): number | null {
  return xs.length === 0 ? null : median(xs);
}

/** Compares `candidate` with `reference` on every cell that ran either. */
export function compareStrategies(cells: readonly AtlasCellResult[], candidate: AtlasStrategyName, reference: AtlasStrategyName = 'grid', targets: CompareTargets = DEFAULT_TARGETS): Comparison {
  const rows: ComparisonRow[] = [];
  for (const { cell, results } of cells) {
    const ref = results[reference];
    const cand = results[candidate];
    if (!ref && !cand) continue;
    const reasons: string[] = [];
    const refIssue = unusable(ref, reference);
    const candIssue = unusable(cand, candidate);
    if (refIssue) reasons.push(refIssue);
    if (candIssue) reasons.push(candIssue);
    const Lr = refIssue ? null : ref!.test_loss!;
    const Lc = candIssue ? null : cand!.test_loss!;
    const rel = Lr !== null && Lc !== null && Lr > 0 ? (Lc - Lr) / Lr : null;
    const Cr = refIssue || unmeasured(ref) ? null : ref!.sample_grads;
    const Cc = candIssue || unmeasured(cand) ? null : cand!.sample_grads;
    const ratio = Cr !== null && Cc !== null && Cr > 0 ? Cc / Cr : null;
    // A resumed study's seconds cover only the part after the resume.
    const Sr = refIssue || ref!.resumed ? null : ref!.seconds;
    const Sc = candIssue || cand!.resumed ? null : cand!.seconds;
    const secondsRatio = Sr !== null && Sc !== null && Sr > 0 ? Sc / Sr : null;
    const lossOk = rel !== null && rel <= targets.relativeLoss;
    const costOk = ratio !== null && ratio <= targets.costRatio;
    const lr = refIssue ? null : ref!.best_lambda;
    const lc = candIssue ? null : cand!.best_lambda;
    if (rel !== null && !lossOk) {
      const factor = lr && lc ? (lc > lr ? `${fmtG(lc / lr)}× larger` : `${fmtG(lr / lc)}× smaller`) : '';
      const edge = !candIssue && cand!.edge_warning ? `; ${candidate}'s λ is on the edge of its range` : '';
      reasons.push(`test loss ${fmtPct(rel)} vs ${reference} (target ≤ ${fmtPct(targets.relativeLoss)}): λ = ${fmtG(lc!)} vs ${fmtG(lr!)}${factor ? `, ${factor}` : ''}${edge}`);
    }
    for (const [r, name] of [[ref, reference], [cand, candidate]] as const) {
      if (unmeasured(r)) reasons.push(`${name}'s compute is not measured: its study was resumed after an interruption (delete the study and re-run to measure it)`);
    }
    if (ratio !== null && !costOk) reasons.push(`compute ${fmtG(ratio)} of ${reference}'s sample gradients (target ≤ ${fmtG(targets.costRatio)})`);
    rows.push({
      cell: cell.id,
      dataset: cell.dataset,
      model: cell.model,
      m: cell.m,
      seed: cell.seed,
      params: cell.params,
      candidate,
      reference,
      lambdaReference: lr,
      lambdaCandidate: lc,
      testLossReference: Lr,
      testLossCandidate: Lc,
      relativeLoss: rel,
      costReference: Cr,
      costCandidate: Cc,
      costRatio: ratio,
      secondsRatio,
      lossOk,
      costOk,
      ok: lossOk && costOk,
      reasons,
    });
  }
  const compared = rows.filter((r) => r.relativeLoss !== null);
  return {
    candidate,
    reference,
    targets,
    rows,
    compared: compared.length,
    lossOk: rows.filter((r) => r.lossOk).length,
    costOk: rows.filter((r) => r.costOk).length,
    bothOk: rows.filter((r) => r.ok).length,
    failures: rows.filter((r) => !r.ok),
    medianRelativeLoss: medianOrNull(compared.map((r) => r.relativeLoss!)),
    medianCostRatio: medianOrNull(rows.filter((r) => r.costRatio !== null).map((r) => r.costRatio!)),
    medianSecondsRatio: medianOrNull(rows.filter((r) => r.secondsRatio !== null).map((r) => r.secondsRatio!)),
  };
}
