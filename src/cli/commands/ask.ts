/** `l2lab ask`: a trial (λ in the framework's units, τ, when pruning may stop it) for a training loop l2lab does not run; the first ask gives the loop's context. */
import { openLambdaService } from '../../ask/service.js';
import { resolveContext } from '../../ask/context.js';
import { checkHeartbeatTimeout } from '../../ask/lease.js';
import type { AskedTrial, NoTrial, StudyContext } from '../../ask/protocol.js';
import type { Command, ParsedValues } from '../command.js';
import { argsTable, optionHelp, readOptions, required, type CliFlag } from '../options.js';
import { openStore } from '../ask-door.js';
import { sig } from '../format.js';

const FLAGS: CliFlag[] = [{ flag: 'json', doc: 'one JSON object' }];

/** The registry keys that make up the context, with their protocol (JSON) names. */
const CONTEXT_KEYS = { convention: 'convention', m: 'm', batchSize: 'batch_size', optimizer: 'optimizer', lr: 'lr', momentum: 'momentum', epochs: 'epochs', logRange: 'log_range', lambdas: 'lambdas', strategy: 'strategy', trials: 'trials', repeats: 'repeats' } as const;

/** The context the flags give, or undefined when they give none of it (a later ask). */
export function contextFrom(o: Record<string, unknown>): StudyContext | undefined {
  const entries = Object.entries(CONTEXT_KEYS).filter(([key]) => o[key] !== undefined).map(([key, field]) => [field, o[key]]);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as unknown as StudyContext);
}

/** One readable line for a trial. */
function trialLine(t: AskedTrial): string {
  const tau = t.tau_epochs === null ? 'τ unknown (see --json tau_note)' : `τ = ${sig(t.tau_epochs)} epochs`;
  const prune = t.prune_from_epoch === null ? 'not pruned' : `pruned from epoch ${t.prune_from_epoch} at the earliest`;
  const extra = [t.rung !== undefined ? `rung ${t.rung}` : '', t.repeat !== undefined ? `repeat ${t.repeat}` : '', t.resumed ? 'resumed: its reports were cleared' : ''].filter(Boolean);
  return `trial ${t.trial} of ${t.study}: ${t.convention} value ${sig(t.value)} (seed λ = ${sig(t.lambda)}), ${t.epochs} epochs, ${tau}, ${prune}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

/** Asks until a trial or `done`, sleeping `retry_after` seconds on `wait` (saying so on stderr once per reason). */
async function askUntilAnswer(ask: () => Promise<AskedTrial | NoTrial>): Promise<AskedTrial | NoTrial> {
  let said = '';
  for (;;) {
    const a = await ask();
    if (a.trial !== null || a.status === 'done') return a;
    if (a.reason !== said) process.stderr.write(`waiting: ${a.reason}; asking again every ${a.retry_after ?? 1} s\n`);
    said = a.reason;
    await new Promise((r) => setTimeout(r, 1000 * (a.retry_after ?? 1)));
  }
}

export const command: Command = {
  name: 'ask',
  options: argsTable('ask', FLAGS),
  help: `Usage: l2lab ask --study S [--storage F|URL] [--client-id ID] [context] [--json]

A trial for your own training loop: λ in your framework's units ("value"), τ at that λ and the first
epoch report may prune it at. The first ask of a study gives the context (every later ask may omit it;
one that gives it must give the same). While every trial is running elsewhere it waits; when the
search is done it prints {"trial": null, "status": "done"} and exits 1, so a shell loop ends.

Options:
${optionHelp('ask', FLAGS)}

Example: l2lab ask --study mlp-wd --convention pytorch --m 6400 --batch-size 128 --optimizer momentum --lr 0.1 --momentum 0.9 --epochs 20 --json`,
  async run(v: ParsedValues) {
    const o = readOptions('ask', v);
    const study = required(o.study as string | undefined, 'study', 'ask', 'mlp-wd');
    const context = contextFrom(o);
    // Checked before the store is opened: a bad context writes nothing, not even an empty store.
    if (context) resolveContext(context);
    const heartbeatTimeout = checkHeartbeatTimeout(o.heartbeatTimeout);
    const service = await openLambdaService({ storage: await openStore(o.storage as string | undefined, context !== undefined), heartbeatTimeout });
    try {
      const a = await askUntilAnswer(() => service.ask(study, { context, client_id: o.clientId as string | undefined }));
      console.log(v.json === true ? JSON.stringify(a) : a.trial === null ? `${a.study}: done — ${a.reason}. 'l2lab best --study ${a.study}' gives λ.` : trialLine(a));
      return a.trial === null ? 1 : 0;
    } finally {
      await service.storage.close();
    }
  },
};
