/** Reverse-mode autodiff over the recorded ops: a topological sort, then one reverse sweep. */
import { ShapeError } from '../errors.js';
import { formatShape, sameShape, type TapeEntry, type Value } from './graph.js';
import { add } from './ops.js';

/**
 * Appends the backward nodes computing d(y)/d(wrt[i]) to y's graph and returns them in order.
 * `seed` is the gradient flowing into y (default 1, which requires y to be a scalar); passing e.g.
 * −lr makes every returned gradient a ready-made SGD step. A wrt value that y does not depend on
 * gets an error, because a silently-zero gradient hides a wiring bug.
 */
export function grad(y: Value, wrt: Value[], seed?: Value): Value[] {
  const g = y.graph;
  if (!seed && y.shape.length !== 0) throw new ShapeError(`grad(${y.name}: ${formatShape(y.shape)}) needs a scalar output or an explicit seed of the same shape.`);
  const s = seed ?? g.scalar(1, y.dtype);
  if (seed && !sameShape(seed.shape, y.shape) && seed.shape.length !== 0) throw new ShapeError(`grad seed ${seed.name}: ${formatShape(seed.shape)} does not match ${y.name}: ${formatShape(y.shape)}.`);

  const targets = new Set(wrt.map((v) => v.name));
  const order = topoOrder(y, g.producer);
  // Only propagate through entries that lie on a path to a requested input.
  const needed = new Set<string>(targets);
  for (const e of order) {
    if (e.inputs.some((v) => needed.has(v.name))) for (const o of e.outputs) needed.add(o.name);
  }
  if (!needed.has(y.name) && !targets.has(y.name)) throw new ShapeError(`grad: ${y.name} does not depend on any of ${wrt.map((v) => v.name).join(', ')}.`);

  const grads = new Map<string, Value>([[y.name, s]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const e = order[i];
    if (!e.inputs.some((v) => needed.has(v.name))) continue;
    const gOut = e.outputs.map((o) => grads.get(o.name));
    if (gOut.every((x) => x === undefined)) continue;
    const gIn = e.backward(gOut, e.inputs.map((v) => needed.has(v.name)));
    e.inputs.forEach((v, j) => {
      const gv = gIn[j];
      if (!gv || !needed.has(v.name)) return;
      const prev = grads.get(v.name);
      grads.set(v.name, prev ? add(prev, gv) : gv);
    });
  }
  return wrt.map((v) => {
    const gv = grads.get(v.name);
    if (!gv) throw new ShapeError(`grad: ${y.name} does not depend on ${v.name}.`);
    return gv;
  });
}

/** Tape entries reachable backwards from y, in forward (topological) order. */
function topoOrder(y: Value, producer: Map<string, TapeEntry>): TapeEntry[] {
  const order: TapeEntry[] = [];
  const seen = new Set<TapeEntry>();
  const stack: [TapeEntry, number][] = [];
  const root = producer.get(y.name);
  if (!root) return order;
  stack.push([root, 0]);
  seen.add(root);
  // Iterative DFS (deep unrolled graphs would overflow recursion).
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [entry, i] = top;
    if (i < entry.inputs.length) {
      top[1]++;
      const p = producer.get(entry.inputs[i].name);
      if (p && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(entry);
    }
  }
  return order;
}
