/**
 * The name sets every layer shares (optimizers, solvers, strategies, activations, initializers,
 * conventions and the other fixed choices of the option registry), at the ground floor so that the
 * registry, the engine and the CLI read one list without importing each other.
 */

/** Update rules of gradient descent (src/plan/optimizer.ts says how each one steps). */
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** How a model is fitted: `exact` (Newton / L-BFGS, convex models) or `sgd` (the training loop). */
export const SOLVERS = ['exact', 'sgd'] as const;
export type SolverName = (typeof SOLVERS)[number];

/** tune's strategies, in the order `--help` lists them (src/tune/strategies.ts holds how each runs). */
export const STRATEGY_NAMES = ['grid', 'sh', 'bayes', 'ridge', 'path', 'evidence'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Hidden-layer activations (GELU is the exact erf form, as PyTorch's default). */
export const ACTIVATIONS = ['relu', 'tanh', 'gelu', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * Weight initializers. he: W ~ N(0, 2/fan_in); glorot: W ~ U(±√(6/(fan_in+fan_out))); lecun:
 * W ~ N(0, 1/fan_in); pytorch: W, b ~ U(±1/√fan_in) (nn.Linear's default). Biases are zero except for
 * pytorch. file: the weights stored in an imported .onnx (`--model net.onnx` only; its default).
 */
export const INITIALIZERS = ['he', 'glorot', 'lecun', 'pytorch', 'file'] as const;
export type Initializer = (typeof INITIALIZERS)[number];

/** Every convention l2lab translates λ to and from, in the conventions table's order; `seed` is l2lab's own. */
export const CONVENTION_IDS = ['seed', 'keras', 'pytorch', 'adamw', 'keras-decoupled', 'composer', 'sklearn-mlp', 'sklearn-ridge', 'sklearn-logistic', 'glmnet', 'bayes'] as const;
export type ConventionId = (typeof CONVENTION_IDS)[number];

/** What a CSV/JSON target means (src/data's Task). */
export const TASKS = ['classification', 'regression'] as const;

/** What the penalty pulls the weights toward: zero (L2), or the starting weights (L2-SP, `--decay-to init`). */
export const DECAY_TARGETS = ['zero', 'init'] as const;
export type DecayTarget = (typeof DECAY_TARGETS)[number];

/** Learning-rate schedules of `train`. */
export const SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

/** Which λ tune refits at: the CV minimum, or the largest within one standard error of it. */
export const SELECTION_RULES = ['min', '1se'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

/** bayes's pruner: the median rule once λ acted, or none. */
export const PRUNERS = ['median', 'none'] as const;
export type PrunerName = (typeof PRUNERS)[number];
