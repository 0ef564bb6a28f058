/** tune's answer in other frameworks' units: the chosen λ in every convention, with the run's m, batch size, learning rate and optimizer filled in. */
import { convertAll, conversionJson, type ConversionContext, type ConversionJson } from '../conventions/index.js';
import type { ConventionId } from '../options/names.js';
import type { Architecture } from '../models/architecture.js';

/** `lambda` (in `convention`) converted into every convention, keyed by convention id, in the form of `l2lab convert --to all --json`'s rows. */
export function conversionsOf(lambda: number, convention: string, ctx: ConversionContext): Partial<Record<ConventionId, ConversionJson>> {
  return Object.fromEntries(convertAll(lambda, convention, ctx).map((r) => [r.to, conversionJson(r)]));
}

/** The conventions a user of this model most likely trains with: PyTorch weight_decay, Keras l2, and scikit-learn's estimator for it (Ridge α, LogisticRegression C or MLP α). */
export function headlineConventions(arch: Architecture): ConventionId[] {
  const hidden = arch.widths.length > 2 || arch.onnx !== undefined;
  const sklearn: ConventionId = hidden ? 'sklearn-mlp' : arch.loss === 'mse' ? 'sklearn-ridge' : 'sklearn-logistic';
  return ['pytorch', 'keras', sklearn];
}

/** How tune names each headline convention's constant on the console. */
export const UNIT_LABELS: Partial<Record<ConventionId, string>> = {
  pytorch: 'PyTorch weight_decay',
  keras: 'Keras L2(l2)',
  'sklearn-mlp': 'scikit-learn MLP alpha',
  'sklearn-ridge': 'scikit-learn Ridge alpha',
  'sklearn-logistic': 'scikit-learn LogisticRegression C',
};
