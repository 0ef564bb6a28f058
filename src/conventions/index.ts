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
// The ids are a name set of the option registry's ground floor; the conventions module hands them on as its own.
export { CONVENTION_IDS, type ConventionId } from '../options/names.js';
export { convert, conversionFormula } from './convert.js';
export { couplingEquivalence } from './equivalence.js';
export { penaltyCoefficients, penaltyValue } from './penalty.js';
export { convertAll, conversionJson, type ConversionJson, type ConversionRow } from './convert-all.js';
