/** Every option of train, tune and inspect, declared once: the CLI, the library's checks, the atlas spec and the dashboard read them from here. */
import { ACTIVATIONS, CONVENTION_IDS, INITIALIZERS, OPTIMIZERS, SOLVERS, STRATEGY_NAMES, type StrategyName } from './names.js';
import { parseLambdas, parseLogRange, type LogRange } from './lambda-grid.js';
import type { CommandName, OptionDecl } from './option.js';

const ALL: readonly CommandName[] = ['train', 'tune', 'inspect'];
/** Strategies that train (every one but the closed-form ridge). */
const TRAINING: readonly StrategyName[] = ['grid', 'sh', 'bayes', 'path', 'evidence'];
/** Strategies that score λ on validation folds or a hold-out split. */
const VALIDATING: readonly StrategyName[] = ['grid', 'sh', 'bayes', 'path'];

/** The most epochs any run may ask for: far beyond any useful budget, small enough that a typo like 1e300 is refused. */
export const MAX_EPOCHS = 100_000;

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
  { key: 'task', flag: 'task', meta: 'T', type: { kind: 'choice', choices: ['classification', 'regression'] }, defaultText: 'strings are classes, numbers regression', doc: 'how a numeric target is read', label: 'task', commands: ['train', 'tune'] },
  { key: 'validation', flag: 'validation', meta: 'F', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.1, doc: 'validation fraction', label: 'validation fraction', commands: ['train', 'inspect'] },
  { key: 'test', flag: 'test', meta: 'F', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.2, doc: 'test fraction (tune: scored once, by the refit)', label: 'test fraction', commands: ALL },
  { key: 'seed', flag: 'seed', meta: 'S', type: { kind: 'number', integer: true }, default: 0, doc: 'split, init, shuffling and dropout seed', label: 'seed', commands: ALL },
  // Model
  { key: 'model', flag: 'model', meta: 'M', type: { kind: 'text' }, doc: 'linear | logistic | softmax | mlp:W1,W2,… | cnn:… on image data, e.g. cnn:c16k5,bn,p2,c32k5,p2,f128 (c<F>k<K>[s<S>][v] conv, p<K>/a<K> max/avg pool, f<W> dense, bn/ln after a c or f layer)', label: 'model', commands: ALL },
  { key: 'activation', flag: 'activation', meta: 'A', type: { kind: 'choice', choices: ACTIVATIONS }, default: 'relu', doc: 'hidden-layer activation', label: 'activation', commands: ALL, strategies: TRAINING, models: ['mlp', 'cnn'], atlas: true },
  { key: 'dropout', flag: 'dropout', meta: 'P', type: { kind: 'numbers', min: 0, max: 1, maxOpen: true }, default: [0], doc: 'dropout after each hidden layer, or P1,P2,… per layer', label: 'dropout', commands: ['train'], models: ['mlp', 'cnn'] },
  { key: 'dropouts', flag: 'dropout', meta: 'P1,P2', type: { kind: 'numbers', min: 0, max: 1, maxOpen: true }, default: [0], doc: 'dropout values tuned together with λ', label: 'dropout', commands: ['tune'], strategies: ['grid'], models: ['mlp', 'cnn'] },
  { key: 'init', flag: 'init', meta: 'I', type: { kind: 'choice', choices: INITIALIZERS }, defaultText: 'he for relu/gelu, glorot otherwise', doc: 'weight initializer', label: 'init', commands: ALL, strategies: TRAINING },
  // The penalty
  { key: 'lambda', flag: 'lambda', meta: 'X', type: { kind: 'number', min: 0 }, doc: "L2 constant in --convention's units", label: 'λ', commands: ['train', 'inspect'] },
  { key: 'convention', flag: 'convention', meta: 'C', type: { kind: 'choice', choices: CONVENTION_IDS }, default: 'seed', doc: 'the units of λ', label: 'convention', commands: ALL },
  { key: 'penalizeBiases', flag: 'penalize-biases', type: { kind: 'flag', when: true }, default: false, doc: 'include biases in the penalty', label: 'penalize biases', commands: ALL, strategies: TRAINING },
  // Optimization
  { key: 'solver', flag: 'solver', meta: 'S', type: { kind: 'choice', choices: SOLVERS }, defaultText: 'exact for linear, logistic, softmax unless an SGD option (--lr, --optimizer, --epochs, …) is given; sgd for MLPs', doc: 'exact: Newton / L-BFGS to ‖∇cost‖∞ ≤ 1e-10, no learning rate; sgd: the optimizer below', label: 'solver', commands: ['train', 'tune'], strategies: TRAINING, atlas: true },
  { key: 'optimizer', flag: 'optimizer', meta: 'O', type: { kind: 'choice', choices: OPTIMIZERS }, defaultText: 'sgd, momentum if --momentum', doc: 'update rule', label: 'optimizer', commands: ALL, strategies: TRAINING, atlas: true },
  { key: 'momentum', flag: 'momentum', meta: 'μ', type: { kind: 'number', min: 0, max: 1, maxOpen: true }, default: 0.9, defaultText: '0.9 for momentum/nesterov', doc: 'momentum of momentum/nesterov', label: 'momentum μ', commands: ALL, strategies: TRAINING, atlas: true },
  { key: 'lr', flag: 'lr', meta: 'η', type: { kind: 'number', min: 0, minOpen: true }, defaultText: '0.1 (SGD family), 0.001 (Adam)', doc: 'learning rate', label: 'learning rate η', commands: ALL, strategies: TRAINING, atlas: true },
  { key: 'schedule', flag: 'schedule', meta: 'S', type: { kind: 'choice', choices: ['constant', 'step', 'cosine'] }, default: 'constant', doc: 'learning-rate schedule; step uses --step-every and --gamma', label: 'lr schedule', commands: ['train'] },
  { key: 'stepEvery', flag: 'step-every', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 10, doc: 'epochs between steps of --schedule step', label: 'step every', commands: ['train'], requires: { key: 'schedule', value: 'step' } },
  { key: 'gamma', flag: 'gamma', meta: 'g', type: { kind: 'number', min: 0, max: 1, minOpen: true }, default: 0.1, doc: 'lr factor per step of --schedule step', label: 'step γ', commands: ['train'], requires: { key: 'schedule', value: 'step' } },
  { key: 'epochs', flag: 'epochs', meta: 'N|auto', type: { kind: 'number', min: 1, max: MAX_EPOCHS, integer: true, words: ['auto'] }, default: 20, doc: 'epochs of training (tune: of each trial; inspect: planned); auto: until the regularized training cost fell by less than 0.1% over 10 epochs', label: 'epochs', commands: ALL, strategies: TRAINING, atlas: true, byCommand: { train: { type: { kind: 'number', min: 0, max: MAX_EPOCHS, integer: true, words: ['auto'] } } } },
  { key: 'maxEpochs', flag: 'max-epochs', meta: 'N', type: { kind: 'number', min: 1, max: MAX_EPOCHS, integer: true }, default: 200, doc: 'most epochs of --epochs auto', label: 'epoch cap', commands: ['train', 'tune'], strategies: TRAINING, requires: { key: 'epochs', value: 'auto' }, atlas: true },
  { key: 'batchSize', flag: 'batch-size', meta: 'B', type: { kind: 'number', min: 1, integer: true, upTo: 'm' }, defaultText: 'min(128, m)', doc: 'minibatch size', label: 'batch size B', commands: ALL, strategies: TRAINING, atlas: true },
  { key: 'patience', flag: 'patience', meta: 'N', type: { kind: 'number', min: 1, integer: true }, doc: 'early stopping on validation loss after N epochs without improvement', label: 'patience', commands: ['train', 'tune'], strategies: VALIDATING },
  { key: 'minDelta', flag: 'min-delta', meta: 'D', type: { kind: 'number', min: 0 }, default: 0, doc: 'smallest improvement early stopping counts', label: 'min delta', commands: ['train'], requires: { key: 'patience' } },
  { key: 'restoreBest', flag: 'no-restore-best', type: { kind: 'flag', when: false }, doc: 'keep the last epoch, not the best, when early stopping', label: 'restore best', commands: ['train'], requires: { key: 'patience' } },
  { key: 'threads', flag: 'threads', meta: 'N', type: { kind: 'number', min: 1, integer: true, upTo: 'cores' }, defaultText: 'all cores', doc: 'ONNX Runtime threads', label: 'threads', commands: ALL },
  // Tuning
  { key: 'strategy', flag: 'strategy', meta: 'S', type: { kind: 'choice', choices: STRATEGY_NAMES }, default: 'grid', doc: 'how λ is chosen (see Strategies)', label: 'strategy', commands: ['tune'] },
  { key: 'lambdas', flag: 'lambdas', meta: 'L', type: { kind: 'text', parse: parseLambdas }, doc: 'λ values: a list, or a:b:step like 0.01:0.4:0.01', label: 'λ values', commands: ['tune'], strategies: ['grid', 'sh', 'ridge', 'path'], excludes: ['logRange'] },
  { key: 'logRange', flag: 'log-range', meta: 'lo:hi:n', type: { kind: 'text', parse: logRange }, default: { lo: 0.001, hi: 100, n: 11 }, doc: 'n log-spaced λ from lo to hi', label: 'λ range', commands: ['tune'], strategies: ['grid', 'sh', 'bayes', 'ridge', 'path'], excludes: ['lambdas'] },
  { key: 'folds', flag: 'folds', meta: 'k', type: { kind: 'number', min: 2, integer: true }, default: 5, doc: 'stratified k-fold cross-validation', label: 'folds', commands: ['tune'], strategies: VALIDATING, excludes: ['holdout'] },
  { key: 'holdout', flag: 'holdout', meta: 'F', type: { kind: 'number', min: 0, max: 1, minOpen: true, maxOpen: true }, doc: 'score on one hold-out split of this fraction instead of k-fold CV', label: 'hold-out fraction', commands: ['tune'], strategies: VALIDATING, excludes: ['folds'] },
  { key: 'select', flag: 'select', meta: 'R', type: { kind: 'choice', choices: ['min', '1se'] }, default: 'min', doc: 'refit at λ_min or at λ_1se, the largest λ within one SE', label: 'selection rule', commands: ['tune'], strategies: VALIDATING },
  { key: 'extend', flag: 'no-extend', type: { kind: 'flag', when: false }, doc: 'do not extend a log range whose best λ sits on its edge', label: 'extend range', commands: ['tune'], strategies: ['grid'] },
  { key: 'eta', flag: 'eta', meta: 'η', type: { kind: 'number', min: 1, minOpen: true }, default: 3, doc: 'successive halving keeps the best 1/η of each rung', label: 'η (halving)', commands: ['tune'], strategies: ['sh'] },
  { key: 'minEpochs', flag: 'min-epochs', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 1, doc: 'epochs of the first rung', label: 'first-rung epochs', commands: ['tune'], strategies: ['sh'] },
  { key: 'trials', flag: 'trials', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 15, doc: 'most trials of Bayesian optimization', label: 'trials', commands: ['tune'], strategies: ['bayes'] },
  { key: 'pruner', flag: 'pruner', meta: 'P', type: { kind: 'choice', choices: ['median', 'none'] }, default: 'median', doc: 'stop trials above the median validation loss at an epoch, once their λ acted (τ ≤ epoch); none trains every trial fully', label: 'pruner', commands: ['tune'], strategies: ['bayes'] },
  { key: 'pathEpochs', flag: 'path-epochs', meta: 'N', type: { kind: 'number', min: 1, integer: true }, default: 5, doc: 'epochs per λ on the warm-started path after the first', label: 'path epochs', commands: ['tune'], strategies: ['path'] },
  { key: 'populationSize', flag: 'population-size', meta: 'N', type: { kind: 'number', min: 1, integer: true }, defaultText: 'all', doc: 'λ configurations per engine pass; each finished pass is saved', label: 'population size', commands: ['tune'], strategies: ['grid'] },
  { key: 'storage', flag: 'storage', meta: 'PATH|URL', type: { kind: 'text' }, default: './l2lab.db', doc: 'study store: SQLite file or postgres://…', label: 'storage', commands: ['tune'] },
  { key: 'study', flag: 'study', meta: 'NAME', type: { kind: 'text' }, defaultText: 'strategy-data-model-hash', doc: 'study name; re-running resumes it', label: 'study', commands: ['tune'] },
  { key: 'heartbeatTimeout', flag: 'heartbeat-timeout', meta: 'S', type: { kind: 'number', min: 0, minOpen: true, max: 86_400 }, default: 60, doc: "seconds without a heartbeat after which another worker's RUNNING trial is run here", label: 'heartbeat timeout', commands: ['tune'] },
  // Inspect
  { key: 'measureLimit', flag: 'measure-limit', meta: 'N', type: { kind: 'number', min: 0 }, default: 10_000_000, doc: 'skip the measured initialization above N parameters', label: 'measure limit', commands: ['inspect'] },
] satisfies readonly OptionDecl[];

/** Every declared option, as the readers take them (train, tune and inspect's checks, the CLI, the atlas spec, the dashboard). */
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
