/**
 * Scores (λ, dropout) configurations by k-fold CV or hold-out: every config × fold is one member,
 * and members with the same architecture train together as one population when that pays.
 */
import { countParams, type Architecture } from '../../models/architecture.js';
import { train, type EpochRecord, type MemberSpec, type TrainResult } from '../../train/trainer.js';
import { currentEpochSink } from '../trials/epoch-progress.js';
import { meanAndSe } from '../one-se.js';
import { scoreExact } from './score-exact.js';
import { refitMember, scoreRefits } from './refit-member.js';
import type { Config, ConfigScore, FoldScore, ScoreCost } from './config-score.js';
import type { TuneSetup } from '../setup.js';
import type { StrategyContext } from '../strategy.js';

/** Upper bound on members per population, bounding memory (K × params × optimizer slots). */
const MAX_MEMBERS_FLOATS = 64e6;

/** FNV-1a of the config and fold: a member's dropout stream that does not depend on its population. */
function memberSeed(seed: number, c: Config, fold: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${c.lambda}|${c.dropout}|${fold}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/**
 * Decides after each epoch which configs stop there: called with the configs (indices into the
 * configs being scored) still training and their mean validation loss over folds at `epoch`;
 * returns a reason per entry to stop that config (a pruned trial), or undefined.
 */
export type ConfigPruner = (epoch: number, running: readonly { config: number; valLoss: number }[]) => (string | undefined)[];

/** The rows a trial's τ is read on: the first fold's training rows (its steps go over the whole training part). */
export function trialRows(setup: TuneSetup): number {
  return setup.folds[0].train.length;
}

/** τ in epochs of λ on the setup's first fold, as the trainer computes it (the run plan's timescale). */
export function trialTimescale(setup: TuneSetup, lambda: number): number {
  return setup.plan.timescale(lambda, trialRows(setup));
}

/** How scoreConfigs trains besides the configs and epochs; every field is optional. */
export interface ScoreOptions {
  /** `warm[i]`: per-fold parameters to start config i from (successive halving's promoted configs, the path's previous λ). */
  warm?: (Float64Array[][] | undefined)[];
  /** Adds what was trained (sample gradients, engine passes, seconds). */
  cost?: ScoreCost;
  /** Once aborted (a worker lost these trials to another), training stops and scoreConfigs throws its reason. */
  signal?: AbortSignal;
  /** May stop configs between epochs (multi-fidelity search). */
  prune?: ConfigPruner;
  /** Each config's population carries its refit member (see refitsInPopulation), scored into ConfigScore.refit. Default false. */
  refits?: boolean;
}

/** Trains every config on every fold for `epochs` and scores it (see ScoreOptions). */
export async function scoreConfigs(setup: TuneSetup, configs: Config[], epochs: number | 'auto', o: ScoreOptions = {}): Promise<ConfigScore[]> {
  const { warm, cost, signal, prune } = o;
  if (setup.plan.solver === 'exact') return scoreExact(setup, configs, warm, cost);
  const scores: ConfigScore[] = new Array(configs.length);
  const sink = currentEpochSink();
  const k = setup.folds.length;
  // Members per config, config-major: its k folds, then its refit member.
  const per = k + (o.refits ? 1 : 0);
  const byDropout = new Map<number, number[]>();
  configs.forEach((c, i) => byDropout.set(c.dropout, [...(byDropout.get(c.dropout) ?? []), i]));
  for (const [dropout, indices] of byDropout) {
    const arch = setup.architecture(dropout);
    const perMember = countParams(arch).total * 4;
    const stack = setup.stacks;
    const chunk = stack ? Math.max(1, Math.floor(MAX_MEMBERS_FLOATS / perMember / per)) : 1;
    for (let s = 0; s < indices.length; s += chunk) {
      const group = indices.slice(s, s + chunk);
      const members = group.flatMap((i) => configMembers(setup, configs[i], warm?.[i], o.refits ?? false));
      const result = await train(setup.train, undefined, {
        ...setup.trainOptions(arch),
        members,
        epochs,
        earlyStopping: setup.patience !== undefined ? { patience: setup.patience, restoreBest: true } : undefined,
        population: stack && members.length > 1,
        stepOnOwnRows: !stack,
        signal,
        prune: prune && ((epoch, recs, active) => pruneGroup(prune, epoch, recs, active, group, k, per)),
        // The store and the progress hear of the folds only: the refit member is no fold of the trial.
        onEpoch: sink && ((_, recs, first) => recs.forEach((r, i) => {
          const [g, fold] = [Math.floor((first + i) / per), (first + i) % per];
          if (fold < k) sink(group[g], fold, r);
        })),
      });
      addCost(cost, result);
      const refits = o.refits ? await scoreRefits(setup, arch, group.map((i) => configs[i]), group.map((_, g) => result.members[g * per + k])) : [];
      group.forEach((ci, g) => (scores[ci] = { ...collect(configs[ci], result, g * per, k, setup.patience !== undefined), ...(refits[g] ? { refit: refits[g] } : {}) }));
    }
  }
  return scores;
}

/** A config's members: one per fold (started from `warm`'s parameters when given), then, with `refit`, its refit member. */
function configMembers(setup: TuneSetup, c: Config, warm: Float64Array[][] | undefined, refit: boolean): MemberSpec[] {
  const folds = setup.folds.map((f, j) => ({
    penalty: setup.plan.coefficients(c.lambda, f.train.length),
    lr: setup.plan.lr,
    trainRows: f.train,
    valRows: f.validation,
    init: warm?.[j],
    dropoutSeed: memberSeed(setup.seed, c, j),
  }));
  return refit ? [...folds, refitMember(setup, c)] : folds;
}

/** The key of a config in StrategyContext.foldSolutions. */
export const configKey = (c: Config): string => `${c.lambda}|${c.dropout}`;

/**
 * scoreConfigs inside a strategy's run: the cost counted in `ctx.cost`, and with the exact solver
 * each config's fold solutions kept in `ctx.foldSolutions` (the refit's warm start).
 */
export async function scoreInRun(ctx: StrategyContext, configs: Config[], epochs: number | 'auto', o: Omit<ScoreOptions, 'cost'> = {}): Promise<ConfigScore[]> {
  const scores = await scoreConfigs(ctx.setup, configs, epochs, { ...o, cost: ctx.cost });
  if (ctx.setup.plan.solver === 'exact') for (const s of scores) ctx.foldSolutions.set(configKey(s.config), s.params);
  return scores;
}

/**
 * Applies a config-level pruner to a population of `group.length` configs × `per` members (config-major:
 * k folds, judged by their mean validation loss, then any refit member, stopped with its config).
 */
function pruneGroup(prune: ConfigPruner, epoch: number, recs: EpochRecord[], active: readonly boolean[], group: number[], k: number, per: number): (string | undefined)[] {
  const running = group
    .map((config, g) => ({ config, g, valLoss: recs.slice(g * per, g * per + k).reduce((a, r) => a + (r.val_loss ?? NaN), 0) / k }))
    .filter(({ g }) => active.slice(g * per, g * per + k).some(Boolean));
  const reasons = prune(epoch, running);
  const out: (string | undefined)[] = new Array(recs.length).fill(undefined);
  running.forEach(({ g }, i) => {
    for (let j = 0; j < per; j++) out[g * per + j] = reasons[i];
  });
  return out;
}

function addCost(cost: ScoreCost | undefined, r: TrainResult): void {
  if (!cost) return;
  cost.sampleGrads += r.sampleGrads;
  cost.passes += r.passes;
  cost.seconds += r.seconds;
}

function collect(config: Config, r: TrainResult, first: number, k: number, earlyStopped: boolean): ConfigScore {
  const folds: FoldScore[] = [];
  let diverged: string | undefined;
  let pruned: string | undefined;
  for (let j = 0; j < k; j++) {
    const m = r.members[first + j];
    pruned ??= m.pruned?.reason;
    if (m.diverged) diverged ??= `fold ${j + 1}: ${m.diverged.message}`;
    const chosen = earlyStopped ? m.history.find((h) => h.epoch === m.bestEpoch) ?? m.history[m.history.length - 1] : m.history[m.history.length - 1];
    folds.push({
      valLoss: m.diverged ? NaN : chosen.val_loss ?? NaN,
      trainLoss: chosen.data_loss,
      valAccuracy: chosen.val_accuracy,
      epoch: chosen.epoch,
      curve: m.history.map((h) => h.val_loss ?? NaN),
    });
  }
  const { mean, se } = meanAndSe(folds.map((f) => f.valLoss));
  const train = meanAndSe(folds.map((f) => f.trainLoss));
  const members = r.members.slice(first, first + k);
  return {
    config,
    folds,
    mean: diverged ? NaN : mean,
    se: diverged ? NaN : se,
    trainMean: train.mean,
    diverged,
    ...(pruned !== undefined ? { pruned } : {}),
    lambdaTimescaleEpochs: members.reduce((a, m) => a + m.lambdaTimescaleEpochs, 0) / k,
    converged: members.every((m) => m.converged),
    epochsTrained: Math.max(...members.map((m) => m.history[m.history.length - 1]?.epoch ?? 0)),
    params: members.map((m) => m.params),
  };
}
