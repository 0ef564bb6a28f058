/** l2lab's public library API. */
export * from './errors.js';
export * from './graph/index.js';
export * from './engine/index.js';
export * from './data/index.js';
export * from './conventions/index.js';
export { parseModelSpec, paramShapes, countParams, describeArchitecture, ACTIVATIONS, type Architecture, type Activation, type LossKind } from './models/architecture.js';
export { initParams, weightVariance, INITIALIZERS, type Initializer } from './models/init.js';
export { saveModel, readSidecar, buildInferenceGraph, type ModelSidecar } from './models/export.js';
export { buildStepGraph, type StepGraphSpec } from './train/step-graph.js';
export { Stepper } from './train/stepper.js';
export { train, type TrainOptions, type TrainResult, type EpochRecord, type MemberSpec, type PenaltyCoefficients, type LrSchedule, type EarlyStopping } from './train/trainer.js';
export { fit, evaluateParams, type FitOptions, type FitReport, type TrainedModel } from './train/fit.js';
export { OPTIMIZERS, type OptimizerSpec, type OptimizerName } from './train/optimizer.js';
