/** Public names of the ONNX importer: `--model net.onnx` as an Architecture, its error, and what an imported graph holds. */
export { importModel, isOnnxPath, describeImported } from './import-model.js';
export { UnsupportedModelError } from './errors.js';
export { SUPPORTED_OPERATORS } from './operators.js';
export type { ImportedNet, ImportedParam, ImportedNode, ParamRole, OutputKind, InputLayout } from './net.js';
