/** `--solver exact|sgd`: which solver fits a model, by a stated rule. */
import { InvalidOptionError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { SOLVERS, type SolverName } from '../options/names.js';
import { isConvex } from '../solvers/model-rows.js';

/**
 * The solver a run uses. Convex models (linear, logistic, softmax) default to 'exact'; MLPs train
 * by SGD. Options that only mean something to gradient descent (`sgdOptions`: the CLI flags the user
 * set, e.g. lr, optimizer, epochs) choose 'sgd' when no solver is named, since that is what the user
 * asked for; with an explicit 'exact' they are an error, not silently ignored.
 */
export function chooseSolver(requested: string | undefined, arch: Architecture, sgdOptions: Record<string, unknown>, owner: string): SolverName {
  if (requested !== undefined && !SOLVERS.includes(requested as SolverName)) throw new InvalidOptionError(`Unknown --solver '${requested}'. Use one of: ${SOLVERS.join(', ')}.`);
  const given = Object.entries(sgdOptions)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k]) => `--${k}`);
  if (requested === 'exact') {
    if (!isConvex(arch)) throw new InvalidOptionError(`--solver exact handles linear, logistic and softmax models; ${owner} got a model with hidden layers. Use --solver sgd (the default for MLPs).`);
    if (given.length > 0) throw new InvalidOptionError(`${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to gradient descent only: --solver exact minimizes the cost to its tolerance with no learning rate or epochs. Drop ${given.join(', ')}, or use --solver sgd.`);
    return 'exact';
  }
  if (requested === 'sgd') return 'sgd';
  return isConvex(arch) && given.length === 0 ? 'exact' : 'sgd';
}
