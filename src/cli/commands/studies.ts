/** `l2lab studies`: the studies in a store, with their trial counts, best λ and best values; `--delete NAME` removes one. */
import { deleteStudyNamed, openStorage } from '../../study/index.js';
import { stringOption, type Command } from '../command.js';
import { studyChoice } from '../../tune/trials/study-choice.js';
import { fmt, sig, table } from '../format.js';

export const command: Command = {
  name: 'studies',
  options: { storage: { type: 'string' }, delete: { type: 'string' }, json: { type: 'boolean' } },
  help: `Usage: l2lab studies [--storage ./l2lab.db | postgres://…] [--json]
       l2lab studies --delete NAME [--storage …]   delete the study NAME with all its trials`,
  async run(v) {
    const storage = await openStorage(stringOption(v, 'storage'), { mustExist: true });
    try {
      const doomed = stringOption(v, 'delete');
      if (doomed !== undefined) {
        const s = await deleteStudyNamed(storage, doomed);
        if (v.json === true) console.log(JSON.stringify({ deleted: s.name }));
        else console.log(`deleted study ${s.name} from ${storage.location}`);
        return 0;
      }
      const studies = await storage.listStudies();
      // The best λ by tune's own rule (highest rung, ties to the larger λ), not merely the best trial's.
      const list = await Promise.all(studies.map(async (s) => ({ ...s, bestLambda: studyChoice(await storage.listTrials(s.id), s.config).choice?.lambdaMin ?? null })));
      if (v.json === true) console.log(JSON.stringify(list));
      else if (list.length === 0) console.log(`no studies in ${storage.location}. Run 'l2lab tune …' to create one.`);
      else
        console.log(
          table(
            ['study', 'strategy', 'complete', 'running', 'failed', 'pruned', 'best λ', 'best value', 'created'],
            list.map((s) => [s.name, String((s.config.strategy as { kind?: string })?.kind ?? ''), String(s.trialCounts.COMPLETE), String(s.trialCounts.RUNNING + s.trialCounts.WAITING), String(s.trialCounts.FAIL), String(s.trialCounts.PRUNED), s.bestLambda === null ? '' : sig(s.bestLambda), s.bestValue === null ? '' : fmt(s.bestValue), new Date(s.createdAt).toISOString().slice(0, 19)]),
          ),
        );
    } finally {
      await storage.close();
    }
    return 0;
  },
};
