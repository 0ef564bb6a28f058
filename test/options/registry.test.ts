/** The option registry: every entry point refuses the same bad values and misplaced options; the CLI's table and help come from it. Fast: every case fails before data is trained on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs } from '../../src/cli/command.js';
import { command as trainCommand, fitOptionsFrom } from '../../src/cli/commands/train.js';
import { command as tuneCommand, tuneOptionsFrom } from '../../src/cli/commands/tune.js';
import { parseCsv } from '../../src/data/csv.js';
import { InvalidDataError, InvalidOptionError } from '../../src/errors.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { defaultLabel, OPTIONS, optionsOf } from '../../src/options/index.js';
import { fit, type FitOptions } from '../../src/train/fit.js';
import { rungSchedule } from '../../src/tune/pruners/successive-halving.js';
import { tune, type TuneOptions } from '../../src/tune/tune.js';

/** Asserts `run` rejects with an InvalidOptionError whose message matches `re`. */
async function refuses(run: () => Promise<unknown>, re: RegExp): Promise<void> {
  // Some cases throw while the CLI parses, before any promise exists: count those too.
  await assert.rejects(async () => run(), (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError, String(e));
    assert.match(e.message, re);
    return true;
  });
}

const tuneBase: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:4', storage: ':memory:' };
const fitBase: FitOptions = { data: 'wine', model: 'mlp:4', lambda: 0.1, epochs: 1 };
/** The CLI path: argv → parseArgs table from the registry → options object. */
const tuneArgs = (...argv: string[]) => tuneOptionsFrom(parseCommandArgs(tuneCommand, ['--data', 'wine', '--model', 'mlp:4', '--storage', ':memory:', ...argv]).values);
const trainArgs = (...argv: string[]) => fitOptionsFrom(parseCommandArgs(trainCommand, ['--data', 'wine', '--model', 'mlp:4', '--lambda', '0.1', ...argv]).values);

describe('option registry: the bugs of issue 14', () => {
  it('tune refuses --patience 0, from the CLI and from the library, as fit does', async () => {
    await refuses(() => tune(tuneArgs('--patience', '0')), /The 'patience' option of tune must be a number in integers \[1, ∞\)\. Got 0 instead\./);
    await refuses(() => tune({ ...tuneBase, patience: 0 }), /'patience' option of tune/);
    await refuses(() => fit({ ...fitBase, earlyStopping: { patience: 0 } }), /'patience' option of train/);
  });

  it('--step-every 0 is an invalid option, not a run that "diverged"', async () => {
    await refuses(() => fit(trainArgs('--schedule', 'step', '--step-every', '0')), /The 'step-every' option of train must be a number in integers \[1, ∞\)\. Got 0 instead\./);
    await refuses(() => fit({ ...fitBase, schedule: { kind: 'step', every: 0, gamma: 0.1 } }), /'step-every' option of train/);
    await refuses(() => fit({ ...fitBase, schedule: { kind: 'step', every: 2, gamma: 0 } }), /'gamma' option of train must be a number in \(0, 1\]/);
    // Without --schedule step the flag would do nothing: refused, naming what it needs.
    await refuses(() => fit(trainArgs('--step-every', '3')), /--step-every applies with --schedule step only/);
  });

  it('--eta has one range, (1, ∞), for the CLI, the library and the rung schedule', async () => {
    const eta = OPTIONS.find((o) => o.key === 'eta')!;
    assert.deepEqual(eta.type, { kind: 'number', min: 1, minOpen: true });
    await refuses(() => tune(tuneArgs('--strategy', 'sh', '--eta', '1')), /The 'eta' option of tune must be a number in \(1, ∞\)\. Got 1 instead\./);
    await refuses(() => tune({ ...tuneBase, strategy: 'sh', eta: 1 }), /The 'eta' option of tune must be a number in \(1, ∞\)/);
    assert.equal(tuneArgs('--strategy', 'sh', '--eta', '1.5').eta, 1.5);
    assert.deepEqual(rungSchedule(4, 9, 1.5), [4, 6, 9]);
    assert.ok(!tuneCommand.help.includes('≥ 2'));
  });

  it('mlp:8,,4 is refused (an empty width is a typo, not a layer)', () => {
    for (const spec of ['mlp:8,,4', 'mlp:8,', 'mlp:,8', 'mlp:']) {
      assert.throws(() => parseModelSpec(spec, 4, { task: 'regression' }), (e: unknown) => e instanceof InvalidOptionError && /positive integer hidden widths/.test(e.message), spec);
    }
    assert.deepEqual(parseModelSpec('mlp:8, 4', 4, { task: 'regression' }).widths, [4, 8, 4, 1]);
  });

  it('a CSV header that names a column twice is refused, naming the column and both places', () => {
    assert.throws(
      () => parseCsv('age,height,age,target\n1,2,3,0\n4,5,6,1\n', 'people.csv'),
      (e: unknown) => e instanceof InvalidDataError && /people\.csv, line 1: the header names column 'age' twice \(columns 1 and 3\)/.test(e.message),
    );
  });

  it('dropout on softmax, linear or logistic is refused, naming the models that use it', async () => {
    await refuses(() => fit({ ...fitBase, model: 'softmax', dropout: 0.2 }), /--dropout applies to mlp:… and cnn:… models, not to --model softmax/);
    await refuses(() => fit(trainArgs('--model', 'softmax', '--dropout', '0.2')), /--dropout applies to mlp/);
    await refuses(() => tune({ ...tuneBase, model: 'softmax', dropouts: [0, 0.2] }), /--dropout applies to mlp:… and cnn:… models, not to --model softmax/);
    await refuses(() => fit({ ...fitBase, model: 'softmax', activation: 'tanh' }), /--activation applies to mlp/);
  });

  it('--holdout with --folds is refused, naming both', async () => {
    await refuses(() => tune(tuneArgs('--holdout', '0.2', '--folds', '5')), /Give either --folds or --holdout, not both|Give either --holdout or --folds, not both/);
    await refuses(() => tune({ ...tuneBase, holdout: 0.2, folds: 3 }), /not both/);
  });
});

describe('option registry: options a strategy does not use', () => {
  it('bayes and sh refuse --dropout; evidence refuses --lambdas; each names the strategy that takes it', async () => {
    await refuses(() => tune({ ...tuneBase, strategy: 'bayes', dropouts: [0, 0.5] }), /--dropout applies to --strategy grid, not to --strategy bayes\. Remove --dropout or use --strategy grid\./);
    await refuses(() => tune({ ...tuneBase, strategy: 'sh', dropouts: [0.2] }), /--dropout applies to --strategy grid, not to --strategy sh/);
    await refuses(() => tune({ ...tuneBase, strategy: 'evidence', lambdas: [1] }), /--lambdas applies to --strategy grid, sh, ridge, path, not to --strategy evidence/);
    await refuses(() => tune(tuneArgs('--eta', '3')), /--eta applies to --strategy sh, not to --strategy grid/);
    await refuses(() => tune(tuneArgs('--strategy', 'ridge', '--lr', '0.1')), /--lr applies to --strategy grid, sh, bayes, path, evidence, not to --strategy ridge/);
  });

  it('an option of another command names the commands that take it', async () => {
    await refuses(() => tune({ ...tuneBase, lambda: 1 } as TuneOptions), /--lambda is not an option of tune: it applies to train, inspect/);
  });
});

describe('option registry: the CLI is read from it', () => {
  it('each command parses exactly its registry flags plus its own output flags, and --help lists each with its default', () => {
    for (const [cmd, own] of [[trainCommand, ['out', 'json']], [tuneCommand, ['plot', 'out', 'json']]] as const) {
      const flags = optionsOf(cmd.name as 'train' | 'tune').map((o) => o.flag);
      assert.deepEqual(Object.keys(cmd.options).sort(), [...new Set([...flags, ...own])].sort());
      for (const o of optionsOf(cmd.name as 'train' | 'tune')) {
        assert.ok(cmd.help.includes(`--${o.flag}`), `${cmd.name} --help lists --${o.flag}`);
        const shown = defaultLabel(o);
        if (shown !== undefined) assert.ok(cmd.help.includes(`default ${shown}`), `${cmd.name} --help shows --${o.flag}'s default`);
      }
    }
    assert.match(tuneCommand.help, /sh +successive halving|sh +halving over λ/);
    assert.match(tuneCommand.help, /bayes .*--trials/);
  });

  it('values come typed under the library names', () => {
    const o = tuneArgs('--strategy', 'sh', '--log-range', '0.01:100:5', '--min-epochs', '2', '--no-extend');
    assert.deepEqual(o.logRange, { lo: 0.01, hi: 100, n: 5 });
    assert.equal(o.minEpochs, 2);
    assert.equal(o.extend, false);
    const f = trainArgs('--patience', '3', '--no-restore-best', '--dropout', '0.1,0.2');
    assert.deepEqual(f.earlyStopping, { patience: 3, minDelta: undefined, restoreBest: false });
    assert.deepEqual(f.dropout, [0.1, 0.2]);
  });
});
