/** Public API of the conventions module: the table, convert(), and the coefficients a training engine applies. */
export type {
  Caveat,
  Convention,
  Conversion,
  ConversionContext,
  NeededValue,
  OptimizerKind,
  PenaltyCoefficients,
} from './types.js';
export { CONVENTIONS, getConvention, isConventionId } from './registry.js';
export { convert, conversionFormula } from './convert.js';
export { couplingEquivalence } from './equivalence.js';
export { penaltyCoefficients, penaltyValue } from './penalty.js';
export { convertAll, conversionJson, type ConversionJson, type ConversionRow } from './convert-all.js';
