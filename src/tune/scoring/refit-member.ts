/**
 * The refit member: the refit at a config (every training row, the penalty for m = the whole training
 * part, the trials' epochs) trained as one more member of the config's population and scored on the
 * test split, so tune's refit at the chosen config is there when the trials finish, not a serial run after them.
 */
import { evaluateMembers } from '../../train/fit.js';
import type { Architecture } from '../../models/architecture.js';
import type { Metrics } from '../../models/metrics.js';
import type { MemberResult, MemberSpec } from '../../train/trainer.js';
import type { SolverReport } from '../../train/solver-option.js';
import type { Refit } from '../trials/trial-result.js';
import type { TuneSetup } from '../setup.js';
import type { Config } from './config-score.js';

/**
 * Whether a grid's populations carry their configs' refit members: the folds stack (a member more
 * costs 1/k of a population, not a run of its own), k-fold CV (with one hold-out split it would
 * double each population), gradient descent, no early stopping (the refit has none, and a member
 * under patience would stop on its own cost), and no model asked for (the store keeps the refit's
 * metrics, not the parameters that `keepModel` returns).
 */
export function refitsInPopulation(setup: TuneSetup, keepModel: boolean): boolean {
  return setup.stacks && setup.scheme === 'cv' && setup.plan.solver !== 'exact' && setup.patience === undefined && !keepModel;
}

/**
 * The refit as a member: no rows of its own (it learns from every training row, with no validation
 * rows), the penalty's coefficients for m = the whole training part, and the dropout stream of a
 * member trained alone (seed + 2 + its index 0, see dropoutRngs). Its initialization and minibatch
 * order are every member's (the run's seed), so inside a population it trains what it trains alone.
 */
export function refitMember(setup: TuneSetup, c: Config): MemberSpec {
  return { penalty: setup.plan.coefficients(c.lambda, setup.train.n), lr: setup.plan.lr, dropoutSeed: setup.seed + 2 };
}

/**
 * The refits of a population's refit members (`members[i]` trained `configs[i]`), scored on the test
 * split in one session; undefined where the member diverged or was pruned or its test loss is not
 * finite (tune then refits that config alone, as without refit members).
 */
export async function scoreRefits(setup: TuneSetup, arch: Architecture, configs: Config[], members: MemberResult[]): Promise<(Refit | undefined)[]> {
  const kept = members.flatMap((m, i) => (m.diverged || m.pruned ? [] : [i]));
  const refits: (Refit | undefined)[] = configs.map(() => undefined);
  if (kept.length === 0) return refits;
  const metrics = await evaluateMembers(arch, kept.map((i) => members[i].params), setup.test, setup.threads);
  kept.forEach((i, j) => {
    if (Number.isFinite(metrics[j].loss)) refits[i] = refitRecord(configs[i], members[i].history[members[i].history.length - 1].epoch, metrics[j]);
  });
  return refits;
}

/** The refit's record: its config, the epochs it trained (0 for an exact solve, with the solver's report) and its test metrics. */
export function refitRecord(c: Config, epochs: number, test: Metrics, solver?: SolverReport): Refit {
  return {
    lambda: c.lambda,
    dropout: c.dropout,
    epochs,
    test_loss: test.loss,
    ...(solver ? { solver } : {}),
    ...(test.accuracy !== undefined ? { test_accuracy: test.accuracy } : {}),
    ...(test.rmse !== undefined ? { test_rmse: test.rmse } : {}),
  };
}
