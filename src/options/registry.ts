/** Every option of train, tune, inspect and ask, declared once: the CLI, the library's checks, the run plan's defaults, the atlas spec and the dashboard read them from here. */
import { ACTIVATIONS, CONVENTION_IDS, DECAY_TARGETS, INITIALIZERS, OPTIMIZERS, SOLVERS, STRATEGY_NAMES, type StrategyName } from './names.js';
import { parseLambdas, parseLogRange, type LogRange } from './lambda-grid.js';
import type { CommandName, OptionDecl } from './option.js';

const ALL: readonly CommandName[] = ['train', 'tune', 'inspect'];
/** The commands whose options describe a training loop: ask describes the user's own, which l2lab does not run. */
const LOOP: readonly CommandName[] = [...ALL, 'ask'];
/** What ask's context needs from the user's loop: required, since l2lab cannot know it. */
const ASK_REQUIRED = { default: undefined, defaultText: undefined } as const;
/** Strategies that train (every one but the closed-form ridge). */
const TRAINING: readonly StrategyName[] = ['grid', 'sh', 'bayes', 'path', 'evidence'];
/** Strategies that score λ on validation folds or a hold-out split. */
const VALIDATING: readonly StrategyName[] = ['grid', 'sh', 'bayes', 'path'];

/**
 * ask/tell: seconds without a report after which a handed-out trial goes back to the pool (ask's
 * --heartbeat-timeout default). Ten minutes, not tune's 60 s: an external loop's only sign of life is
 * its report at the end of each epoch, and an epoch of a real model takes minutes.
 */
export const ASK_HEARTBEAT_TIMEOUT_S = 600;

/** The most epochs any run may ask for: far beyond any useful budget, small enough that a typo like 1e300 is refused. */
export const MAX_EPOCHS = 100_000;

/** `a,b*` as a list of name patterns. */
function namePatterns(text: string): string[] {
  return text.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** `lo:hi:n` as tune's logRange. */
function logRange(text: string): LogRange {
  const values = parseLogRange(text);
  return { lo: values[0], hi: values[values.length - 1], n: values.length };
}

/**
 * The registry. To add an option, add one entry here (and its value type to OptionValues); the
 * library reads the value from its options object under `key`, and everything else (parsing, `--help`,
 * range and applicability checks, DEFAULTS, atlas keys, dashboard labels) follows. Each entry's
 * `default` is checked against its key's value type.
 */
const TABLE = [
  // Data
  { key: 'data', flag: 'data', meta: 'D', type: { kind: 'text' }, doc: 'built-in name (l2lab datasets) or a .csv/.json/IDX path', label: 'data', commands: ALL },
  { key: 'target', flag: 'target', meta: 'COL', type: { kind: 'text' }, default: 'target', doc: 'CSV target column', label: 'target', commands: ALL },
  { key: 'task', flag: 'task', meta: 'T', type: { kind: 'choice', choices: ['classification', 'regression'] }, defaultText: 'strings are classes, numbers regression', doc: 'how a numeric target is read', label: 'task', commands: ALL },
  { key: 'validation', flag: 'validation', meta: 'F', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.1, doc: 'validation fraction', label: 'validation fraction', commands: ['train', 'inspect'] },
  { key: 'test', flag: 'test', meta: 'F', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.2, doc: 'test fraction (tune: scored once, by the refit)', label: 'test fraction', commands: ALL },
  { key: 'seed', flag: 'seed', meta: 'S', type: { kind: 'number', integer: true }, default: 0, doc: 'split, init, shuffling and dropout seed', label: 'seed', commands: ALL },
  // Model
  { key: 'model', flag: 'model', meta: 'M', type: { kind: 'text' }, doc: 'linear | logistic | softmax | mlp:W1,W2,… | cnn:… on image data, e.g. cnn:c16k5,bn,p2,c32k5,p2,f128 (c<F>k<K>[s<S>][v] conv, p<K>/a<K> max/avg pool, f<W> dense, bn/ln after a c or f layer) | path/to/net.onnx (your own network, e.g. from torch.onnx.export)', label: 'model', commands: ALL },
  { key: 'penalize', flag: 'penalize', meta: 'PATTERNS', type: { kind: 'text', parse: namePatterns }, doc: 'also penalize the initializers whose names match (comma-separated, * and ? wildcards), e.g. *.bias', label: 'penalize', commands: ALL, models: ['onnx'] },
  { key: 'exclude', flag: 'exclude', meta: 'PATTERNS', type: { kind: 'text', parse: namePatterns }, doc: 'leave the initializers whose names match out of the penalty, e.g. embed.*', label: 'exclude', commands: ALL, models: ['onnx'] },
  { key: 'activation', flag: 'activation', meta: 'A', type: { kind: 'choice', choices: ACTIVATIONS }, default: 'relu', doc: 'hidden-layer activation', label: 'activation', commands: ALL, strategies: TRAINING, models: ['mlp', 'cnn'], atlas: true },
  { key: 'dropout', flag: 'dropout', meta: 'P', type: { kind: 'numbers', min: 0, max: 1, maxOpen: true }, default: [0], doc: 'dropout after each hidden layer, or P1,P2,… per layer', label: 'dropout', commands: ['train'], models: ['mlp', 'cnn'] },
  { key: 'dropouts', flag: 'dropout', meta: 'P1,P2', type: { kind: 'numbers', min: 0, max: 1, maxOpen: true }, default: [0], doc: 'dropout values tuned together with λ', label: 'dropout', commands: ['tune'], strategies: ['grid'], models: ['mlp', 'cnn'] },
  { key: 'init', flag: 'init', meta: 'I', type: { kind: 'choice', choices: INITIALIZERS }, defaultText: 'file for .onnx models, he for relu/gelu, glorot otherwise', doc: 'weight initializer (file: the weights stored in --model net.onnx)', label: 'init', commands: ALL, strategies: TRAINING },
  // The penalty
  { key: 'lambda', flag: 'lambda', meta: 'X', type: { kind: 'number', min: 0 }, doc: "L2 constant in --convention's units", label: 'λ', commands: ['train', 'inspect'] },
  { key: 'convention', flag: 'convention', meta: 'C', type: { kind: 'choice', choices: CONVENTION_IDS }, default: 'seed', doc: 'the units of λ', label: 'convention', commands: LOOP, byCommand: { ask: { ...ASK_REQUIRED, doc: 'the units your framework takes λ in: pytorch (weight_decay), keras (l2), adamw, … (l2lab convert --help lists them)' } } },
  { key: 'decayTo', flag: 'decay-to', meta: 'D', type: { kind: 'choice', choices: DECAY_TARGETS }, default: 'zero', doc: 'init: penalize ‖θ − θ₀‖², the distance from the starting weights (L2-SP, for fine-tuning)', label: 'decay to', commands: ['train', 'tune'], strategies: TRAINING },
  { key: 'penalizeBiases', flag: 'penalize-biases', type: { kind: 'flag', when: true }, default: false, doc: 'include biases in the penalty', label: 'penalize biases', commands: ALL, strategies: TRAINING },
  // Optimization
  { key: 'solver', flag: 'solver', meta: 'S', type: { kind: 'choice', choices: SOLVERS }, defaultText: 'exact for linear, logistic, softmax unless an SGD option (--lr, --optimizer, --epochs, …) is given; sgd for MLPs', doc: 'exact: Newton / L-BFGS to ‖∇cost‖∞ ≤ 1e-10, no learning rate; sgd: the optimizer below', label: 'solver', commands: ['train', 'tune'], strategies: TRAINING, atlas: true },
  { key: 'optimizer', flag: 'optimizer', meta: 'O', type: { kind: 'choice', choices: OPTIMIZERS }, defaultText: 'sgd, momentum if --momentum', doc: 'update rule', label: 'optimizer', commands: LOOP, strategies: TRAINING, atlas: true, byCommand: { ask: { ...ASK_REQUIRED, doc: 'the update rule of your loop' } } },
  { key: 'momentum', flag: 'momentum', meta: 'μ', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.9, defaultText: '0.9 for momentum/nesterov', doc: 'momentum of momentum/nesterov', label: 'momentum μ', commands: LOOP, strategies: TRAINING, atlas: true },
  { key: 'lr', flag: 'lr', meta: 'η', type: { kind: 'number', min: 0, minOpen: true }, defaultText: '0.1 (SGD family), 0.001 (Adam)', doc: 'learning rate', label: 'learning rate η', commands: LOOP, strategies: TRAINING, atlas: true, byCommand: { ask: { ...ASK_REQUIRED, doc: 'the learning rate of your loop' } } },
  { key: 'schedule', flag: 'schedule', meta: 'S', type: { kind: 'choice', choices: ['constant', 'step', 'cosine'] }, default: 'constant', doc: 'learning-rate schedule; step uses --step-every and --gamma', label: 'lr schedule', commands: ['train'] },
  { key: 'stepEvery', flag: 'step-every', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 10, doc: 'epochs between steps of --schedule step', label: 'step every', commands: ['train'], requires: { key: 'schedule', value: 'step' } },
  { key: 'gamma', flag: 'gamma', meta: 'g', type: { kind: 'number', min: 0, max: 1, minOpen: true }, default: 0.1, doc: 'lr factor per step of --schedule step', label: 'step γ', commands: ['train'], requires: { key: 'schedule', value: 'step' } },
  { key: 'epochs', flag: 'epochs', meta: 'N|auto', type: { kind: 'number', min: 1, max: MAX_EPOCHS, integer: true, words: ['auto'] }, default: 20, doc: 'epochs of training (tune: of each trial; inspect: planned); auto: until the regularized training cost fell by less than 0.1% over 10 epochs', label: 'epochs', commands: LOOP, strategies: TRAINING, atlas: true, byCommand: { ask: { ...ASK_REQUIRED, meta: 'N', type: { kind: 'number', min: 1, max: MAX_EPOCHS, integer: true }, doc: 'epochs each trial of your loop trains (the T of τ ≈ T)' }, train: { type: { kind: 'number', min: 0, max: MAX_EPOCHS, integer: true, words: ['auto'] } } } },
  { key: 'maxEpochs', flag: 'max-epochs', meta: 'N', type: { kind: 'number', min: 1, max: MAX_EPOCHS, integer: true }, default: 200, doc: 'most epochs of --epochs auto', label: 'epoch cap', commands: ['train', 'tune'], strategies: TRAINING, requires: { key: 'epochs', value: 'auto' }, atlas: true },
  { key: 'batchSize', flag: 'batch-size', meta: 'B', type: { kind: 'number', min: 1, integer: true, upTo: 'm' }, defaultText: 'min(128, m)', doc: 'minibatch size', label: 'batch size B', commands: LOOP, strategies: TRAINING, atlas: true, byCommand: { ask: { ...ASK_REQUIRED, doc: 'minibatch size of your loop' } } },
  { key: 'patience', flag: 'patience', meta: 'N', type: { kind: 'number', min: 1, integer: true }, doc: 'early stopping on validation loss after N epochs without improvement', label: 'patience', commands: ['train', 'tune'], strategies: VALIDATING },
  { key: 'minDelta', flag: 'min-delta', meta: 'D', type: { kind: 'number', min: 0 }, default: 0, doc: 'smallest improvement early stopping counts', label: 'min delta', commands: ['train'], requires: { key: 'patience' } },
  { key: 'restoreBest', flag: 'no-restore-best', type: { kind: 'flag', when: false }, doc: 'keep the last epoch, not the best, when early stopping', label: 'restore best', commands: ['train'], requires: { key: 'patience' } },
  { key: 'threads', flag: 'threads', meta: 'N', type: { kind: 'number', min: 1, integer: true, upTo: 'cores' }, defaultText: 'all cores', doc: 'ONNX Runtime threads', label: 'threads', commands: ALL },
  // Tuning
  { key: 'strategy', flag: 'strategy', meta: 'S', type: { kind: 'choice', choices: STRATEGY_NAMES }, default: 'grid', doc: 'how λ is chosen (see Strategies)', label: 'strategy', commands: ['tune', 'ask'], byCommand: { ask: { type: { kind: 'choice', choices: ['bayes', 'grid', 'sh'] }, default: 'bayes', doc: 'bayes: the constant-timescale λ, the decade its overfitting gap points to, then Gaussian-process expected improvement, losers pruned once λ acted; grid: every value; sh: successive halving by rungs of epochs' } } },
  { key: 'lambdas', flag: 'lambdas', meta: 'L', type: { kind: 'text', parse: parseLambdas }, doc: 'λ values: a list, or a:b:step like 0.01:0.4:0.01', label: 'λ values', commands: ['tune', 'ask'], strategies: ['grid', 'sh', 'ridge', 'path'], excludes: ['logRange'] },
  { key: 'logRange', flag: 'log-range', meta: 'lo:hi:n', type: { kind: 'text', parse: logRange }, default: { lo: 0.001, hi: 100, n: 11 }, doc: 'n log-spaced λ from lo to hi', label: 'λ range', commands: ['tune', 'ask'], strategies: ['grid', 'sh', 'bayes', 'ridge', 'path'], excludes: ['lambdas'], byCommand: { ask: { defaultText: "0.001:100 read as seed λ, in --convention's units, below the unstable λ; n 11 (grid), 27 (sh)" } } },
  { key: 'folds', flag: 'folds', meta: 'k', type: { kind: 'number', min: 2, integer: true }, default: 5, doc: 'stratified k-fold cross-validation', label: 'folds', commands: ['tune'], strategies: VALIDATING, excludes: ['holdout'] },
  { key: 'holdout', flag: 'holdout', meta: 'F', type: { kind: 'number', min: 0, max: 1, minOpen: true, maxOpen: true }, doc: 'score on one hold-out split of this fraction instead of k-fold CV', label: 'hold-out fraction', commands: ['tune'], strategies: VALIDATING, excludes: ['folds'] },
  { key: 'select', flag: 'select', meta: 'R', type: { kind: 'choice', choices: ['min', '1se'] }, default: 'min', doc: 'refit at λ_min or at λ_1se, the largest λ within one SE', label: 'selection rule', commands: ['tune'], strategies: VALIDATING },
  { key: 'extend', flag: 'no-extend', type: { kind: 'flag', when: false }, doc: 'do not extend a log range whose best λ sits on its edge', label: 'extend range', commands: ['tune'], strategies: ['grid'] },
  { key: 'eta', flag: 'eta', meta: 'η', type: { kind: 'number', min: 1, minOpen: true }, default: 3, doc: 'successive halving keeps the best 1/η of each rung', label: 'η (halving)', commands: ['tune'], strategies: ['sh'] },
  { key: 'minEpochs', flag: 'min-epochs', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 1, doc: 'epochs of the first rung', label: 'first-rung epochs', commands: ['tune'], strategies: ['sh'] },
  { key: 'trials', flag: 'trials', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 15, doc: 'most trials of Bayesian optimization', label: 'trials', commands: ['tune', 'ask'], strategies: ['bayes'] },
  { key: 'pruner', flag: 'pruner', meta: 'P', type: { kind: 'choice', choices: ['median', 'none'] }, default: 'median', doc: 'stop trials above the median validation loss at an epoch, once their λ acted (τ ≤ epoch); none trains every trial fully', label: 'pruner', commands: ['tune'], strategies: ['bayes'] },
  { key: 'pathEpochs', flag: 'path-epochs', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 5, doc: 'epochs per λ on the warm-started path after the first', label: 'path epochs', commands: ['tune'], strategies: ['path'] },
  { key: 'populationSize', flag: 'population-size', meta: 'N', type: { kind: 'number', min: 1, integer: true }, defaultText: "the worker's share", doc: 'most λ configurations per engine pass; each finished pass is saved', label: 'population size', commands: ['tune'], strategies: ['grid'] },
  { key: 'storage', flag: 'storage', meta: 'PATH|URL', type: { kind: 'text' }, default: './l2lab.db', doc: 'study store: SQLite file or postgres://…', label: 'storage', commands: ['tune', 'ask'] },
  { key: 'study', flag: 'study', meta: 'NAME', type: { kind: 'text' }, defaultText: 'strategy-data-model-hash', doc: 'study name; re-running resumes it', label: 'study', commands: ['tune', 'ask'], byCommand: { ask: { ...ASK_REQUIRED, doc: 'study name: the first ask creates it, every later call names it' } } },
  { key: 'workers', flag: 'workers', meta: 'N|auto', type: { kind: 'number', min: 1, max: 256, integer: true, words: ['auto'] }, defaultText: 'auto', doc: 'processes on this machine that train the trials together, one thread each (auto: one per core when the model trains one member at a time and the study is a file or URL)', label: 'workers', commands: ['tune'], strategies: ['grid'] },
  { key: 'heartbeatTimeout', flag: 'heartbeat-timeout', meta: 'S', type: { kind: 'number', min: 0, minOpen: true, max: 86_400 }, default: 60, doc: "seconds without a heartbeat after which another worker's RUNNING trial is run here", label: 'heartbeat timeout', commands: ['tune', 'ask'], byCommand: { ask: { default: ASK_HEARTBEAT_TIMEOUT_S, doc: 'seconds without a report after which a trial goes back to the pool (a later report for it is refused): above your longest epoch' } } },
  // Ask (a training loop l2lab does not run)
  { key: 'm', flag: 'm', meta: 'M', type: { kind: 'number', min: 1, integer: true }, doc: 'training rows of your loop (the m of λ/m)', label: 'training rows m', commands: ['ask'] },
  { key: 'repeats', flag: 'repeats', meta: 'N', type: { kind: 'number', min: 1, max: 100, integer: true }, default: 1, doc: 'evaluate each λ N times (your loop seeds each by the trial\'s repeat): the scatter gives λ_1se', label: 'repeats', commands: ['ask'], strategies: ['grid'] },
  { key: 'clientId', flag: 'client-id', meta: 'ID', type: { kind: 'text' }, doc: 'who asks: the same ID asking again gets its own unfinished trial back (a restarted script)', label: 'client id', commands: ['ask'] },
  // Inspect
  { key: 'measureLimit', flag: 'measure-limit', meta: 'N', type: { kind: 'number', min: 0 }, default: 10_000_000, doc: 'skip the measured initialization above N parameters', label: 'measure limit', commands: ['inspect'] },
] satisfies readonly OptionDecl[];

/** Every declared option, as the readers take them (train, tune, inspect and ask's checks, the CLI, the atlas spec, the dashboard). */
export const OPTIONS: readonly OptionDecl[] = TABLE;

/** The options whose declaration gives one default value (DEFAULTS holds them). */
export type DefaultedKey = Extract<(typeof TABLE)[number], { default: unknown }>['key'];

/** The declarations one command takes, with that command's overrides applied. */
export function optionsOf(command: CommandName): OptionDecl[] {
  // An override is typed by its own declaration's key, so the merge is that option's declaration again.
  return OPTIONS.filter((o) => o.commands.includes(command)).map((o) => ({ ...o, ...o.byCommand?.[command] }) as OptionDecl);
}

/** The declaration of `key` for `command`, if it takes it. */
export function optionOf(command: CommandName, key: string): OptionDecl | undefined {
  return optionsOf(command).find((o) => o.key === key);
}

/** The label of a library key (for tables and the dashboard); the key itself when undeclared. */
export function optionLabel(key: string): string {
  return OPTIONS.find((o) => o.key === key)?.label ?? key;
}

/**
 * The tune options a strategy accepts besides those every training strategy shares (the model,
 * optimizer and data options): --eta for sh, --trials for bayes, --folds for the validating ones.
 */
export function strategyOptions(name: StrategyName): OptionDecl[] {
  return optionsOf('tune').filter((o) => o.strategies?.includes(name) && o.strategies !== TRAINING);
}
