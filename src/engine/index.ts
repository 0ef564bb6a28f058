/** Public engine API: compiled ONNX Runtime sessions and tensor helpers. */
export { CompiledGraph, defaultThreads, type Feeds, type SessionOptions } from './session.js';
export { tensor, type FloatArray } from './tensor.js';
