/** Size limits every model kind shares. */

/** The most parameters of one model: 400 MB of float32, each copy of it (gradients, optimizer state) as much again. */
export const MAX_PARAMS = 100_000_000;
