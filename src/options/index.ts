/** Public names of the option registry. */
export { MAX_EPOCHS, OPTIONS, optionsOf, optionOf, optionLabel } from './registry.js';
export { checkOptions, applicableOptions, modelKind, type OptionContext } from './check.js';
export { checkValue, describeRange, type OptionDecl, type OptionType, type CommandName, type ModelKind } from './option.js';
export { defaultLr, defaultBatchSize, defaultOptimizer } from './defaults.js';
