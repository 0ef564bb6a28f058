/**
 * The penalty and the data loss of a cell's network at initialization, measured on the weights its
 * refit starts from: the seed's "the cost starts at 50" for this cell, at any λ.
 */
import { paramShapes } from '../models/architecture.js';
import { isPenalized } from '../models/param-shape.js';
import { initParams } from '../models/init.js';
import { evaluateParams } from '../train/fit.js';
import { createSetup } from '../tune/setup.js';
import type { TuneOptions } from '../tune/strategy.js';

/** Measured at the refit's initialization (same split, seed and initializer), on the m training rows. */
export interface InitMeasure {
  /** Σθ² over the penalized tensors (weights; biases only when penalized). */
  sum_sq: number;
  /** Mean data loss of the initial network on the m training rows. */
  data_loss: number;
  /** m: the training rows the penalty divides by. */
  m: number;
}

/** The initial penalty in the seed's convention, (λ/2m)·Σθ², and its ratio to the initial data loss. */
export function initPenalty(init: InitMeasure, lambda: number): { penalty: number; ratio: number; cost: number } {
  const penalty = (lambda / (2 * init.m)) * init.sum_sq;
  return { penalty, ratio: penalty / init.data_loss, cost: init.data_loss + penalty };
}

/** Measures Σθ² and the data loss at the initialization tune()'s refit starts from; null for an exact solve (it starts from zero). */
export async function measureInit(options: TuneOptions): Promise<InitMeasure | null> {
  const setup = createSetup(options, options);
  if (setup.plan.solver === 'exact') return null;
  const arch = setup.architecture(0);
  const params = initParams(arch, setup.plan.init, setup.seed);
  const penalizeBiases = setup.plan.penalizeBiases;
  let sumSq = 0;
  paramShapes(arch).forEach((shape, i) => {
    if (isPenalized(shape, penalizeBiases)) for (const v of params[i]) sumSq += v * v;
  });
  const { loss } = await evaluateParams(arch, params, setup.train, setup.threads);
  return { sum_sq: sumSq, data_loss: loss, m: setup.train.n };
}
