/**
 * `node --import tsx --import ./bench/count-runs.ts …`: counts ONNX Runtime session runs (engine
 * passes) in this process and prints `session runs: N` on stderr at exit, to compare how many passes
 * a claim policy makes without timing anything on a loaded machine, and `cpu seconds: S` (user +
 * system, every thread of the process), to tell a worker's own work from the time it waited.
 */
import ort from 'onnxruntime-node';

let runs = 0;
// The factory's type hides that it is the session class; its prototype's run is what every session calls.
const proto = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => unknown } }).prototype;
const run = proto.run;
proto.run = function (this: unknown, ...args: unknown[]) {
  runs++;
  return run.apply(this, args);
};
process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`session runs: ${runs}\ncpu seconds: ${((cpu.user + cpu.system) / 1e6).toFixed(2)}\n`);
});
