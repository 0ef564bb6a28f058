/** Exact solvers for the convex models: Newton / L-BFGS on the seed's cost. */
export { cost, hessian, rowOutputs, paramCount, type GlmProblem } from './glm.js';
export { solveGlm, describeSolve, useNewton, DEFAULT_TOL, NEWTON_MAX_PARAMS, type SolveOptions } from './solve.js';
export { isConvex, problemOf, paramsOf, thetaOf, metricsOf } from './model-rows.js';
export type { SolveResult, SolverMethod } from './types.js';
export { foldPath, type FoldFit, type FoldRows } from './fold-path.js';
