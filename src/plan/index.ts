/** Public names of the run plan: the one resolver of the training options, the λ limits and τ it answers, and the first-guess λ. */
export { resolveRunPlan, runPlanJson, resolveOptimizer, resolveEpochs, checkBatchSize, type RunPlan, type RunPlanJson, type PlanOptions, type PlanRows } from './run-plan.js';
export { firstGuessLambda, type FirstGuess } from './first-guess.js';
export type { LambdaLimit } from './penalty-limits.js';
export type { PlannedOptimizer } from './optimizer.js';
