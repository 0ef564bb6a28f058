/** `l2lab report`: one epoch of a trial ask handed out; prints whether to prune it and exits 0 either way. */
import { openLambdaService } from '../../ask/service.js';
import type { Command, ParsedValues } from '../command.js';
import type { CliFlag } from '../options.js';
import { flagsHelp, flagsTable, numberFlag, openStore, requiredNumber, studyFlags, studyName } from '../ask-door.js';

const FLAGS: CliFlag[] = [
  ...studyFlags(),
  { flag: 'trial', meta: 'N', doc: 'the trial ask handed out (required)' },
  { flag: 'epoch', meta: 'E', doc: '1, 2, … (0: before training); never backwards (required)' },
  { flag: 'val-loss', meta: 'V', doc: 'mean validation loss at that epoch, finite and ≥ 0 (required)' },
  { flag: 'train-loss', meta: 'T', doc: 'mean training loss at that epoch (bayes reads the overfitting gap from it)' },
  { flag: 'weight-sq-norm', meta: 'Q', doc: 'Σθ² over the weights the decay applies to: checked against the shrinkage λ predicts' },
  { flag: 'json', doc: 'one JSON object {"prune", "reason"}' },
];

export const command: Command = {
  name: 'report',
  options: flagsTable(FLAGS),
  help: `Usage: l2lab report --study S --trial N --epoch E --val-loss V [--train-loss T] [--weight-sq-norm Q] [--json]

Stores one epoch and prints whether to stop the trial (then 'l2lab tell --state pruned'); exits 0
either way. A report after the trial's lease lapsed is refused (exit 2): stop training it.

Options:
${flagsHelp(FLAGS)}

Example: l2lab report --study mlp-wd --trial 3 --epoch 5 --val-loss 0.412 --train-loss 0.35 --json`,
  async run(v: ParsedValues) {
    const study = studyName(v, 'report');
    const request = {
      trial: requiredNumber(v, 'trial', 'report', '3'),
      epoch: requiredNumber(v, 'epoch', 'report', '5'),
      val_loss: requiredNumber(v, 'val-loss', 'report', '0.412'),
      train_loss: numberFlag(v, 'train-loss', 'report'),
      weight_sq_norm: numberFlag(v, 'weight-sq-norm', 'report'),
    };
    const service = await openLambdaService({ storage: await openStore(v.storage as string | undefined, false) });
    try {
      const a = await service.report(study, request);
      if (v.json === true) console.log(JSON.stringify(a));
      else {
        console.log(a.prune ? `prune: ${a.reason}` : `go on${a.reason ? ` (${a.reason})` : ''}`);
        if (a.warning) console.log(`warning: ${a.warning}`);
      }
      return 0;
    } finally {
      await service.storage.close();
    }
  },
};
