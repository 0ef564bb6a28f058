/** Float64 linear-algebra helpers for the closed-form tuners (public names only). */

export { centeredSpectrum, type CenteredSpectrum } from './centered-spectrum.js';
export { cholesky, choleskyInverse, choleskyLogDet, choleskySolve } from './cholesky.js';
export { checkDesign, checkTargets, columnMeans, type Design } from './design.js';
export { logSpace } from './log-space.js';
export { symmetricEigen, type SymmetricEigen } from './sym-eigen.js';
