/** Public names of the option registry. */
export { MAX_EPOCHS, OPTIONS, optionsOf, optionOf, optionLabel } from './registry.js';
export { checkOptions, applicableOptions, modelKind, type OptionContext } from './check.js';
export { checkValue, describeRange, defaultLabel, type OptionDecl, type OptionDeclOf, type OptionKey, type OptionValues, type OptionType, type CommandName, type ModelKind } from './option.js';
export { DEFAULTS, defaultLr, defaultBatchSize, defaultOptimizer, defaultLogRange } from './defaults.js';
