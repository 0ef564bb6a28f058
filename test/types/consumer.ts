/** A consumer of the published typings: compiled by test/package/entry.test.ts against dist/*.d.ts with skipLibCheck false (not by the main tsconfig, which must not need dist/). */
import { fit, tune, inspect, convert, openStorage, L2labError, type FitOptions, type TuneResult } from 'l2lab';

const options: FitOptions = { data: 'wine', model: 'softmax', lambda: 1 };
export async function use(): Promise<number> {
  const chosen: TuneResult = await tune({ strategy: 'grid', data: 'wine', model: 'softmax', lambdas: [0.1, 1], storage: ':memory:' });
  const { report } = await fit({ ...options, lambda: chosen.best_lambda });
  const explained = await inspect({ data: 'wine', model: 'mlp:8', lambda: 1 });
  const storage = await openStorage(':memory:');
  await storage.close();
  void convert;
  void explained;
  return report.test?.loss ?? (L2labError.name.length as number);
}
