/** `l2lab tell`: ends a trial ask handed out, with its final validation loss or as pruned / failed. */
import { openLambdaService } from '../../ask/service.js';
import type { TellRequest } from '../../ask/protocol.js';
import { InvalidOptionError } from '../../errors.js';
import type { Command, ParsedValues } from '../command.js';
import type { CliFlag } from '../options.js';
import { flagsHelp, flagsTable, numberFlag, openStore, requiredNumber, studyFlags, studyName } from '../ask-door.js';
import { sig } from '../format.js';

const FLAGS: CliFlag[] = [
  ...studyFlags(),
  { flag: 'trial', meta: 'N', doc: 'the trial ask handed out (required)' },
  { flag: 'val-loss', meta: 'V', doc: 'its final mean validation loss: the trial completed' },
  { flag: 'state', meta: 'S', doc: 'pruned | failed, instead of --val-loss' },
  { flag: 'reason', meta: 'R', doc: 'why, with --state (stored with the trial)' },
  { flag: 'json', doc: 'one JSON object {"study", "trial", "state", "value"}' },
];

/** The tell the flags give: exactly one of --val-loss and --state. */
function tellFrom(v: ParsedValues): TellRequest {
  const trial = requiredNumber(v, 'trial', 'tell', '3');
  const valLoss = numberFlag(v, 'val-loss', 'tell');
  const state = typeof v.state === 'string' ? v.state : undefined;
  const reason = typeof v.reason === 'string' ? v.reason : undefined;
  if ((valLoss === undefined) === (state === undefined)) throw new InvalidOptionError(`'l2lab tell' needs either --val-loss V (the trial completed) or --state pruned|failed, exactly one. Run 'l2lab tell --help' for an example.`);
  if (reason !== undefined && state === undefined) throw new InvalidOptionError(`--reason goes with --state pruned|failed. Remove --reason, or add --state.`);
  return valLoss !== undefined ? { trial, val_loss: valLoss } : ({ trial, state, ...(reason !== undefined ? { reason } : {}) } as TellRequest);
}

export const command: Command = {
  name: 'tell',
  options: flagsTable(FLAGS),
  help: `Usage: l2lab tell --study S --trial N (--val-loss V | --state pruned|failed [--reason R]) [--json]

Ends a trial: COMPLETE with its final validation loss, or PRUNED / FAILED. A trial is told once.

Options:
${flagsHelp(FLAGS)}

Example: l2lab tell --study mlp-wd --trial 3 --val-loss 0.305 --json`,
  async run(v: ParsedValues) {
    const study = studyName(v, 'tell');
    const request = tellFrom(v);
    const service = await openLambdaService({ storage: await openStore(v.storage as string | undefined, false) });
    try {
      const a = await service.tell(study, request);
      console.log(v.json === true ? JSON.stringify(a) : `trial ${a.trial} of ${a.study}: ${a.state}${a.value !== null ? `, val_loss ${sig(a.value)}` : ''}`);
      return 0;
    } finally {
      await service.storage.close();
    }
  },
};
