/** Public API of the data module: loading, validating, splitting and standardizing datasets. */
export type { ClassificationDataset, Dataset, RegressionDataset, Task, TrainingRows } from './dataset.js';
export type { LoadOptions } from './load-options.js';
export { loadDataset } from './load-dataset.js';
export { datasetHash } from './content-hash.js';
export { validateDataset, type DatasetValidation } from './validate-dataset.js';
export { listDatasets, type DatasetInfo } from './builtin.js';
export { loadCsv, parseCsv, type CsvOptions } from './csv.js';
export { loadJson } from './json.js';
export { fromArrays, type ArraysInput, type ArraysOptions } from './arrays.js';
export { loadIdx, loadIdxPairs, type IdxOptions, type IdxPair } from './idx.js';
export { loadIdxDir } from './idx-dir.js';
export { loadMnist10k } from './mnist-10k.js';
export { loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR } from './fashion-mnist.js';
export { splitIndices, type SplitIndices, type SplitOptions } from './split.js';
export { kFold, type KFoldOptions } from './k-fold.js';
export { subsample, type SubsampleOptions } from './subsample.js';
export { subset, complement } from './subset.js';
export { fitStandardizer, standardize, standardizeSplits, type Standardizer } from './standardize.js';
