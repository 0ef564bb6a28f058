/** The λ atlas: a spec of datasets × models × m × seeds, tuned per cell by several strategies, analysed and reported. */
export { ATLAS_STRATEGIES, AtlasSpecError, checkAtlasSpec, parseAtlasSpec, loadAtlasSpec, type AtlasSpec, type AtlasDataset, type AtlasTraining, type AtlasValidation, type AtlasLambdaRange, type AtlasStrategy, type AtlasStrategyName, type SpecIssue, type SpecCheck } from './spec.js';
export { expandCells, cellStudyName, nominalGridCost, type AtlasCell, type DataShape } from './cells.js';
export { runAtlas, planAtlas, atlasStudyName, cellData, tuneOptionsFor, type AtlasRun, type AtlasCellResult, type CellEvent, type StrategyStartEvent, type RunAtlasOptions } from './run.js';
export type { StrategyOutcomeRecord } from './outcome-record.js';
export { measureTestCurve, testLossAt, type TestCurvePoint } from './test-curve.js';
export * from './analysis/index.js';
export { writeAtlasReport, writeFileAtomic, type ReportFiles } from './report/write.js';
export { allTables, toCsv, type Table } from './report/tables.js';
