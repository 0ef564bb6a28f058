/** Seeded pseudo-random numbers (PCG32-like via splitmix + xorshift), so every run is reproducible from its seed. */

export class Rng {
  private state: bigint;

  constructor(seed: number) {
    // splitmix64 scrambles small consecutive seeds into unrelated states.
    this.state = BigInt.asUintN(64, BigInt(Math.floor(seed)) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n);
    this.hi = 0;
    this.lo = 0;
    this.reseed();
  }

  private hi: number;
  private lo: number;

  private reseed(): void {
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z = z ^ (z >> 31n);
    this.hi = Number(z >> 32n) | 1;
    this.lo = Number(z & 0xffffffffn) | 1;
  }

  /** Uniform 32-bit unsigned integer (xorshift64 on two 32-bit halves, period 2^64 − 1). */
  nextU32(): number {
    let x = this.hi;
    const y = this.lo;
    this.hi = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.lo = x;
    return (this.lo + y) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return (this.nextU32() * 2 ** 21 + (this.nextU32() >>> 11)) / 2 ** 53;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** An independent child stream, e.g. one per fold or per population member. */
  fork(salt: number): Rng {
    return new Rng((this.nextU32() ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0);
  }
}
