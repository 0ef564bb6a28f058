/**
 * What the dashboard shows, as plain JSON-ready objects: the overview of every study and one study
 * in detail (trials, λ_min and λ_1se so far, refit, evidence). The HTML pages and the JSON API are
 * both rendered from these, so they never disagree.
 */
import { hostname } from 'node:os';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  isOwnerDeadHere,
  type Direction,
  type Json,
  type Study,
  type StudyStorage,
  type StudySummary,
  type Trial,
  type TrialEpoch,
  type TrialState,
} from '../study/index.js';
import { chooseWithInterval, type LambdaInterval } from '../tune/lambda-interval.js';
import { bayesRangeOf } from '../tune/trials/study-choice.js';
import { readTrialResult, type EvidenceReport, type TrialResult } from '../tune/trials/trial-result.js';
import { trialPoint } from '../tune/trials/study-run.js';

/** How a study is doing: trials in flight (`running`), queued with none in flight (`waiting`), in flight but every owner gone (`stalled`), all finished, or none yet. */
export type StudyStatus = 'running' | 'waiting' | 'stalled' | 'finished' | 'empty';

/** The λ chosen so far: the validation minimum and the one-standard-error λ, or the evidence maximum. */
export interface Selection {
  /** `'one-se'`: λ_min and λ_1se of the validation curve (Hastie et al., ESL §7.10); `'evidence'`: the evidence maximum. */
  rule: 'one-se' | 'evidence';
  lambda_min: number;
  /** `null` for the evidence rule. */
  lambda_1se: number | null;
  /** The objective of the best trial (validation loss; −log evidence / m for evidence studies); `null` when not finite. */
  best_value: number | null;
  /** `number` of the best trial within its study. */
  best_trial: number;
  /** The rung the choice is made on (successive halving: the highest rung with a finished trial), else `null`. */
  rung: number | null;
  /** The dropout the curve is drawn at (that of the best trial). */
  dropout: number;
  /** How many finished trials the choice was made among. */
  candidates: number;
  /** The λ range the data cannot separate from λ_min and its rule, as tune gives it (`lambda_interval`); `null` for the evidence rule. The chart shades it. */
  interval: LambdaInterval | null;
}

/** One trial as shown: its params unpacked, NaN as `null`, times as ms since the epoch. */
export interface TrialView {
  id: number;
  number: number;
  lambda: number;
  dropout: number;
  /** Successive-halving rung (`params.rung`), else `null`. */
  rung: number | null;
  fold: number | null;
  params: Json;
  state: TrialState;
  value: number | null;
  /** Mean validation loss (COMPLETE trials only). */
  val_mean: number | null;
  /** Its standard error over folds (`null` with one fold or hold-out). */
  val_se: number | null;
  train_mean: number | null;
  reason: string | null;
  attempt: number;
  /** `pid@host` of the current or last process running it. */
  owner: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  heartbeat_at: number | null;
  /** A RUNNING trial whose owner is gone (dead pid on this host, or no heartbeat for the storage's default timeout): it waits to be reclaimed. */
  stale: boolean;
  /** Values reported step by step with `reportIntermediate`. */
  intermediate: { step: number; value: number | null; extra: Json }[];
  /** Per-epoch validation loss averaged over folds (`result.folds[].curve`; epoch 0 = initialization), `null` when not stored. */
  learning_curve: (number | null)[] | null;
  /** Each fold's score at its scored epoch (`result.folds`), for the chart's per-fold points. */
  folds: FoldView[];
  /** The λ timescale τ in epochs (`result.lambda_timescale_epochs`): how long λ takes to act; `null` when not reported. */
  lambda_timescale_epochs: number | null;
  /** Epochs the trial trained (the largest scored epoch of its folds), `null` when not stored. */
  epochs_trained: number | null;
  /** A RUNNING trial's progress from its epoch records: the latest epoch reached, the planned epochs and the estimated time left; else `null`. */
  progress: ProgressView | null;
  /** The stored result, without fitted weights (`result.params`, kept by the path strategy), which can be megabytes. */
  result: Json;
}

/** One fold of a trial, as stored in its result. */
export interface FoldView {
  fold: number;
  val_loss: number | null;
  train_loss: number | null;
  val_accuracy: number | null;
  epoch: number | null;
}

/** How far a running trial is. */
export interface ProgressView {
  /** The latest epoch any member reached (0 = initialization). */
  epoch: number;
  /** Planned epochs (the study's `data.epochs`), `null` when unknown. */
  of: number | null;
  /** Estimated milliseconds left, from the time per epoch so far; `null` before the second record. */
  eta_ms: number | null;
}

/** The evidence strategy's report (`result.evidence` of its trial), its numbers null where not finite. */
export type EvidenceView = Omit<EvidenceReport, 'gamma' | 'weights' | 'log_evidence' | 'noise_precision'> & Record<'gamma' | 'weights' | 'log_evidence' | 'noise_precision', number | null>;

/** A refit at the chosen λ, stored as study attribute `refit:λ:dropout` (or in the evidence trial's result). */
export interface RefitView {
  key: string;
  lambda: number | null;
  dropout: number | null;
  epochs: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  test_rmse: number | null;
  /** The stored object, as is. */
  raw: Json;
}

/** One study in the overview. */
export interface StudyRow {
  id: number;
  name: string;
  direction: Direction;
  /** `config.strategy.kind` (grid, sh, bayes, ridge, path, evidence, …), or `null`. */
  strategy: string | null;
  created_at: number;
  trial_counts: Record<TrialState, number>;
  trials_total: number;
  status: StudyStatus;
  best_value: number | null;
  lambda_min: number | null;
  lambda_1se: number | null;
  /** Latest start, heartbeat or finish of any trial, ms since the epoch. */
  last_activity: number | null;
  url: string;
  api_url: string;
}

/** One study in detail. */
export interface StudyDetail {
  id: number;
  name: string;
  direction: Direction;
  strategy: string | null;
  created_at: number;
  config: Json;
  status: StudyStatus;
  trial_counts: Record<TrialState, number>;
  selection: Selection | null;
  trials: TrialView[];
  refits: RefitView[];
  evidence: EvidenceView | null;
  /** Study attributes other than the refits (strategy state). */
  attrs: Record<string, Json>;
}

/** Whether any trial is in flight or queued, so a page showing it should reload itself. */
export function isActive(counts: Record<TrialState, number>): boolean {
  return counts.RUNNING + counts.WAITING > 0;
}

/** The dashboard path of a study (its name percent-encoded, so `/`, `?`, `#` and spaces survive). */
export function studyPath(name: string): string {
  return `/study/${encodeURIComponent(name)}`;
}

/** The dashboard path of an atlas stored as study `name`. */
export function atlasPath(name: string): string {
  return `/atlas/${encodeURIComponent(name)}`;
}

/** The JSON API path of a study. */
export function studyApiPath(name: string): string {
  return `/api/study/${encodeURIComponent(name)}`;
}

const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const numberOrNull = (x: Json | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const isObject = (x: Json | undefined): x is { [key: string]: Json } => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The strategy's kind from a study config, when it has one. */
export function strategyKind(study: Study): string | null {
  const s = study.config.strategy;
  return isObject(s) && typeof s.kind === 'string' ? s.kind : null;
}

const here = hostname();

/** A RUNNING trial nobody runs any more: its process died on this host, or its heartbeat is older than the default timeout. */
function isStale(t: Trial, now: number): boolean {
  if (t.state !== 'RUNNING') return false;
  if (t.owner && isOwnerDeadHere(t.owner, here)) return true;
  return t.heartbeatAt !== null && now - t.heartbeatAt > DEFAULT_HEARTBEAT_TIMEOUT_MS;
}

function statusOf(counts: Record<TrialState, number>, trials: readonly TrialView[]): StudyStatus {
  const running = trials.filter((t) => t.state === 'RUNNING');
  if (running.length > 0) return running.every((t) => t.stale) ? 'stalled' : 'running';
  if (counts.WAITING > 0) return 'waiting';
  return trials.length === 0 ? 'empty' : 'finished';
}

/** Each fold's scores, as the trial table shows them. */
function foldViews(result: TrialResult | null): FoldView[] {
  return (result?.folds ?? []).map((f, fold) => ({ fold, val_loss: f.val_loss, train_loss: f.train_loss, val_accuracy: f.val_accuracy, epoch: f.epoch }));
}

/** The last epoch any fold scored, for results stored before epochs_trained existed. */
function maxEpoch(result: TrialResult | null): number | null {
  const epochs = (result?.folds ?? []).map((f) => f.epoch);
  return epochs.length > 0 ? Math.max(...epochs) : null;
}

/** Mean over folds of each epoch's validation loss; `null` when the result holds no curves. */
function learningCurve(result: TrialResult | null): (number | null)[] | null {
  const curves = (result?.folds ?? []).map((f) => f.curve).filter((c) => c.length > 0);
  if (curves.length === 0) return null;
  const epochs = Math.max(...curves.map((c) => c.length));
  const out: (number | null)[] = [];
  for (let e = 0; e < epochs; e++) {
    const at = curves.filter((c) => e < c.length).map((c) => c[e]);
    out.push(at.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (at as number[]).reduce((a, b) => a + b, 0) / at.length : null);
  }
  return out;
}

/** The stored result without fitted weights (`params`, kept by the path strategy), which can be megabytes. */
function withoutWeights(result: TrialResult | null): Json {
  if (result === null) return null;
  const { params: _weights, ...rest } = result;
  return rest as unknown as Json;
}

/** A running trial's progress from its epoch records (`records` sorted by seq). */
function progressOf(t: Trial, records: readonly TrialEpoch[], plannedEpochs: number | null, now: number): ProgressView | null {
  if (t.state !== 'RUNNING' || records.length === 0) return null;
  const epoch = Math.max(...records.map((r) => r.epoch));
  const first = Math.min(...records.map((r) => r.at));
  // Epoch 0 is the initialization, written at the start: the pace is (now − first) per epoch trained.
  const perEpoch = epoch > 0 ? (now - first) / epoch : null;
  const eta = perEpoch !== null && plannedEpochs !== null ? Math.max(0, plannedEpochs - epoch) * perEpoch : null;
  return { epoch, of: plannedEpochs, eta_ms: eta };
}

/** The planned epochs of a study (`config.data.epochs`), `null` when its config has none. */
export function plannedEpochs(study: Study): number | null {
  const d = study.config.data;
  return isObject(d) ? numberOrNull(d.epochs) : null;
}

export function trialView(t: Trial, now: number, epochs: readonly TrialEpoch[] = [], planned: number | null = null): TrialView {
  const p = trialPoint(t);
  const result = readTrialResult(t.result, `trial ${t.number}`);
  const rung = t.params.rung;
  const fold = t.params.fold;
  return {
    id: t.id,
    number: t.number,
    lambda: p.lambda,
    dropout: p.dropout,
    rung: typeof rung === 'number' ? rung : null,
    fold: typeof fold === 'number' ? fold : null,
    params: t.params as Json,
    state: t.state,
    value: finiteOrNull(t.value),
    val_mean: finiteOrNull(p.mean),
    val_se: finiteOrNull(p.se),
    train_mean: finiteOrNull(p.trainMean),
    reason: t.reason,
    attempt: t.attempt,
    owner: t.owner ? `${t.owner.pid}@${t.owner.hostname}` : null,
    created_at: t.createdAt,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
    heartbeat_at: t.heartbeatAt,
    stale: isStale(t, now),
    intermediate: t.intermediate.map((v) => ({ step: v.step, value: finiteOrNull(v.value), extra: v.extra })),
    learning_curve: learningCurve(result),
    folds: foldViews(result),
    lambda_timescale_epochs: result?.lambda_timescale_epochs ?? null,
    epochs_trained: result?.epochs_trained ?? maxEpoch(result),
    progress: progressOf(t, epochs, planned, now),
    result: withoutWeights(result),
  };
}

/** The evidence report of an evidence study's trial, or `null`. */
function evidenceOf(trials: readonly Trial[]): { trial: Trial; evidence: EvidenceView; refit: Json | undefined } | null {
  for (const t of trials) {
    const r = readTrialResult(t.result, `trial ${t.number}`);
    const e = r?.evidence;
    if (!e) continue;
    return {
      trial: t,
      evidence: {
        ...e,
        curve: e.curve.filter((c) => Number.isFinite(c.lambda) && Number.isFinite(c.log_evidence)),
        history: e.history.filter((h) => Number.isFinite(h.lambda) && Number.isFinite(h.gamma)),
        gamma: finiteOrNull(e.gamma), weights: finiteOrNull(e.weights), log_evidence: finiteOrNull(e.log_evidence), noise_precision: finiteOrNull(e.noise_precision) },
      refit: r.refit as unknown as Json | undefined,
    };
  }
  return null;
}

function refitView(key: string, raw: Json): RefitView {
  const o = isObject(raw) ? raw : {};
  return {
    key,
    lambda: numberOrNull(o.lambda),
    dropout: numberOrNull(o.dropout),
    epochs: numberOrNull(o.epochs),
    test_loss: numberOrNull(o.test_loss),
    test_accuracy: numberOrNull(o.test_accuracy),
    test_rmse: numberOrNull(o.test_rmse),
    raw,
  };
}

/**
 * λ_min, λ_1se and the interval so far, as `tune()` chooses them (chooseWithInterval): among the
 * COMPLETE trials (of the highest rung that has one, for successive halving), at the best trial's
 * dropout, by the one-standard-error rule, or for bayes (`posterior`: its λ range) by its Gaussian
 * process when the noise is large against the curve. For a maximized objective the rule runs on the
 * negated values (and the interval is λ_min alone: the process models log loss).
 */
export function selectLambda(trials: readonly TrialView[], direction: Direction, posterior?: { lo: number; hi: number }): Selection | null {
  const sign = direction === 'maximize' ? -1 : 1;
  const finished = [...trials].sort((a, b) => a.number - b.number).filter((t) => (t.state === 'COMPLETE' && t.val_mean !== null) || t.state === 'PRUNED');
  const points = finished.map((t) => ({ lambda: t.lambda, dropout: t.dropout, mean: t.state === 'COMPLETE' ? sign * t.val_mean! : NaN, se: t.val_se ?? NaN, rung: t.rung, trial: t, state: t.state, prunedValue: t.value ?? NaN }));
  const c = chooseWithInterval(points, { posterior: direction === 'minimize' ? posterior : undefined });
  if (!c) return null;
  return { rule: 'one-se', lambda_min: c.lambdaMin, lambda_1se: c.lambda1se, best_value: c.best.trial.val_mean!, best_trial: c.best.trial.number, rung: c.rung, dropout: c.dropout, candidates: c.candidates, interval: c.interval };
}

function lastActivity(trials: readonly Trial[]): number | null {
  let last: number | null = null;
  for (const t of trials) for (const ms of [t.startedAt, t.heartbeatAt, t.finishedAt]) if (ms !== null && (last === null || ms > last)) last = ms;
  return last;
}

/** Every study of the store with its status and the λ chosen so far. */
export async function listStudyRows(storage: StudyStorage, now = Date.now()): Promise<StudyRow[]> {
  const summaries = await storage.listStudies();
  return Promise.all(summaries.map((s) => studyRow(storage, s, now)));
}

/** One study's overview row (reads its trials). */
export async function studyRow(storage: StudyStorage, s: StudySummary, now: number): Promise<StudyRow> {
  const trials = await storage.listTrials(s.id);
  const views = trials.map((t) => trialView(t, now));
  const ev = evidenceOf(trials);
  const sel = ev ? null : selectLambda(views, s.direction, bayesRangeOf(s.config));
  return {
    id: s.id,
    name: s.name,
    direction: s.direction,
    strategy: strategyKind(s),
    created_at: s.createdAt,
    trial_counts: s.trialCounts,
    trials_total: Object.values(s.trialCounts).reduce((a, b) => a + b, 0),
    status: statusOf(s.trialCounts, views),
    best_value: s.bestValue,
    lambda_min: ev ? ev.evidence.lambda_seed : (sel?.lambda_min ?? null),
    lambda_1se: sel?.lambda_1se ?? null,
    last_activity: lastActivity(trials),
    url: studyPath(s.name),
    api_url: studyApiPath(s.name),
  };
}

/** One study in detail, or `null` when the store has no study of that name. */
export async function studyDetail(storage: StudyStorage, name: string, now = Date.now()): Promise<StudyDetail | null> {
  const study = await storage.getStudy(name);
  if (study === null) return null;
  const [trials, attrs] = await Promise.all([storage.listTrials(study.id), storage.getStudyAttrs(study.id)]);
  const running = trials.some((t) => t.state === 'RUNNING');
  const epochs = running ? await storage.listEpochs(study.id) : [];
  const byTrial = new Map<number, TrialEpoch[]>();
  for (const e of epochs) {
    const list = byTrial.get(e.trialId);
    if (list === undefined) byTrial.set(e.trialId, [e]);
    else list.push(e);
  }
  const planned = plannedEpochs(study);
  const views = trials.map((t) => trialView(t, now, byTrial.get(t.id), planned));
  const counts: Record<TrialState, number> = { WAITING: 0, RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0 };
  for (const t of trials) counts[t.state]++;
  const ev = evidenceOf(trials);
  const refits = Object.entries(attrs)
    .filter(([k]) => k.startsWith('refit:'))
    .map(([k, v]) => refitView(k, v));
  if (ev?.refit !== undefined && ev.refit !== null) refits.push(refitView(`trial ${ev.trial.number} result.refit`, ev.refit));
  const others = Object.fromEntries(Object.entries(attrs).filter(([k]) => !k.startsWith('refit:')));
  let selection: Selection | null = selectLambda(views, study.direction, bayesRangeOf(study.config));
  if (ev) {
    selection = { rule: 'evidence', lambda_min: ev.evidence.lambda_seed, lambda_1se: null, best_value: finiteOrNull(ev.trial.value), best_trial: ev.trial.number, rung: null, dropout: 0, candidates: 1, interval: null };
  }
  return {
    id: study.id,
    name: study.name,
    direction: study.direction,
    strategy: strategyKind(study),
    created_at: study.createdAt,
    config: study.config as Json,
    status: statusOf(counts, views),
    trial_counts: counts,
    selection,
    trials: views,
    refits,
    evidence: ev?.evidence ?? null,
    attrs: others,
  };
}
