/** `l2lab show NAME`: one study's trials as a validation-curve table (and plot), read from the store. */
import { InvalidOptionError } from '../../errors.js';
import { validationCurveSvg } from '../../plot/index.js';
import { openStorage } from '../../study/index.js';
import { bayesRangeOf, studyChoice } from '../../tune/trials/study-choice.js';
import { noTimeToAct } from '../../tune/lambda-acted.js';
import { bayesNoise } from '../../tune/strategies/bayes.js';
import { stoppedLongerWarning } from '../../tune/patience-warning.js';
import { intervalLine, noiseLine } from './tune.js';
import { isConventionId } from '../../conventions/index.js';
import { stringOption, type Command } from '../command.js';
import { fmt, table, trialStates } from '../format.js';
import { checkOutputFile, writeFilesAtomic } from '../../util/output-file.js';

export const command: Command = {
  name: 'show',
  options: { storage: { type: 'string' }, plot: { type: 'string' }, json: { type: 'boolean' } },
  help: 'Usage: l2lab show NAME [--storage ./l2lab.db | postgres://…] [--plot curve.svg] [--json]',
  async run(v, positionals) {
    const name = positionals[0];
    if (!name) throw new InvalidOptionError(`'l2lab show' needs a study name: l2lab show NAME. 'l2lab studies' lists them.`);
    const plot = stringOption(v, 'plot');
    if (plot) checkOutputFile(plot, '--plot');
    const storage = await openStorage(stringOption(v, 'storage'), { mustExist: true });
    try {
      const study = await storage.getStudy(name);
      if (!study) {
        const names = (await storage.listStudies()).map((s) => s.name);
        throw new InvalidOptionError(`No study '${name}' in ${storage.location}. ${names.length ? `Studies there: ${names.join(', ')}.` : 'It has no studies yet.'}`);
      }
      const trials = await storage.listTrials(study.id);
      const { points, choice } = studyChoice(trials, study.config);
      const curve = choice?.curve ?? [];
      const best = choice?.best;
      const attrs = await storage.getStudyAttrs(study.id);
      // A bayes study repeats the noise reading its tune printed, from the same trials.
      const range = bayesRangeOf(study.config);
      const noise = choice && range ? bayesNoise(points, range) : undefined;
      // As tune says it: the training options are the study's (config.data).
      const trained = study.config.data as { patience?: number | null; epochs?: number | 'auto'; max_epochs?: number } | undefined;
      const budget = trained?.epochs === 'auto' ? trained.max_epochs : trained?.epochs;
      const patienceWarning = best && typeof trained?.patience === 'number' && typeof budget === 'number' ? stoppedLongerWarning(points, best, trained.patience, budget) : undefined;
      if (v.json === true) console.log(JSON.stringify({ study, trials, best_lambda: choice?.lambdaMin ?? null, lambda_1se: choice?.lambda1se ?? null, lambda_interval: choice?.interval ?? null, attrs, ...(noise ? { noise } : {}), ...(patienceWarning ? { patience_warning: patienceWarning } : {}) }));
      else {
        console.log(`study ${study.name} (${storage.location}), created ${new Date(study.createdAt).toISOString()}`);
        console.log(`config: ${JSON.stringify(study.config)}\n`);
        const states = trialStates(points);
        console.log(table(['λ', 'dropout', 'rung', 'val loss', 'SE', 'train loss', 'state', ''], points.map((p, i) => [fmt(p.lambda), String(p.dropout), p.rung === undefined ? '' : String(p.rung), Number.isFinite(p.mean) ? fmt(p.mean) : '', Number.isFinite(p.se) ? `± ${fmt(p.se)}` : '', Number.isFinite(p.trainMean) ? fmt(p.trainMean) : '', states.cells[i], best && p.dropout === best.dropout && p.lambda === choice?.lambdaMin ? 'λ_min' : p.lambda === choice?.lambda1se && best && p.dropout === best.dropout ? 'λ_1se' : ''])));
        if (states.notes.length > 0) console.log(states.notes.join('\n'));
        if (choice) console.log(`\nλ_min = ${choice.lambdaMin}, λ_1se = ${choice.lambda1se}\n${intervalLine(choice.lambdaMin, choice.interval)}`);
        if (noise) console.log(noiseLine(noise));
        if (patienceWarning) console.log(`warning: ${patienceWarning}`);
      }
      if (plot && choice) {
        const stored = study.config.convention;
        const convention = typeof stored === 'string' && isConventionId(stored) ? stored : 'seed';
        const idle = noTimeToAct(
          curve.flatMap((p) => (p.lambdaTimescaleEpochs !== undefined && p.epochsTrained !== undefined ? [{ lambda: p.lambda, lambdaTimescaleEpochs: p.lambdaTimescaleEpochs, epochsTrained: p.epochsTrained }] : [])),
          convention,
        );
        const svg = await validationCurveSvg({
          ...(idle ? { noTimeToAct: { threshold: idle.threshold, side: idle.side, epochs: idle.epochs } } : {}), points: curve.sort((a, b) => a.lambda - b.lambda).map((p) => ({ lambda: p.lambda, valMean: p.mean, valSe: Number.isFinite(p.se) ? p.se : 0, ...(Number.isFinite(p.trainMean) ? { trainMean: p.trainMean } : {}) })), lambdaMin: choice.lambdaMin, lambda1se: choice.lambda1se, interval: choice.interval, title: `${study.name}: validation loss vs λ` });
        writeFilesAtomic([[plot, svg]]);
        if (v.json !== true) console.log(`wrote ${plot}`);
      }
    } finally {
      await storage.close();
    }
    return 0;
  },
};
