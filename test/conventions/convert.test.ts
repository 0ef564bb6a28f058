/** convert(): round trips over every pair, hand-computed values, missing-value errors and the exact flag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convert, convertAll, type ConversionContext } from '../../src/conventions/index.js';
import { CONVENTION_IDS } from '../../src/options/names.js';
import { assertClose, assertInvalid } from './helpers.js';

const FULL: ConversionContext = { m: 50_000, batchSize: 100, lr: 1e-3, noisePrecision: 4, optimizer: 'sgd' };

describe('convert: round trips', () => {
  for (const a of CONVENTION_IDS) {
    for (const b of CONVENTION_IDS) {
      it(`${a} → ${b} → ${a} is the identity`, () => {
        for (const v of [1e-9, 0.01, 3.7, 250]) {
          const there = convert(v, a, b, FULL);
          const back = convert(there.value, b, a, FULL);
          assertClose(back.value, v, 1e-12, `${a}→${b}→${a} at ${v}:`);
          assert.equal(there.from, a);
          assert.equal(there.to, b);
          assert.equal(back.exact, there.exact, 'exactness is symmetric');
        }
      });
    }
  }

  it('λ = 0 maps to 0 in every convention except sklearn-logistic', () => {
    for (const b of CONVENTION_IDS) {
      if (b === 'sklearn-logistic') continue;
      assert.equal(convert(0, 'seed', b, FULL).value, 0, b);
    }
  });
});

describe('convert: hand-computed values (λ = 0.01, m = 50,000)', () => {
  const ctx: ConversionContext = { m: 50_000 };
  const cases: Array<[string, ConversionContext, number, string]> = [
    ['pytorch', ctx, 2e-7, 'wd = λ/m'],
    ['keras', ctx, 1e-7, 'l = λ/(2m)'],
    ['adamw', ctx, 2e-7, 'wd = λ/m'],
    ['keras-decoupled', ctx, 2e-7, 'wd = λ/m'],
    ['composer', { ...ctx, lr: 1e-3 }, 2e-10, 'wd = lr·λ/m'],
    ['sklearn-mlp', { ...ctx, batchSize: 100 }, 2e-5, 'α = λ·B/m'],
    ['sklearn-ridge', {}, 0.01, 'α = λ'],
    ['sklearn-logistic', {}, 100, 'C = 1/λ'],
    ['glmnet', ctx, 2e-7, 'λ_g = λ/m'],
    ['bayes', {}, 0.01, 'δ = β·λ'],
    ['bayes', { noisePrecision: 4 }, 0.04, 'δ = β·λ'],
    ['seed', {}, 0.01, 'λ unchanged'],
  ];
  for (const [to, c, expected, formula] of cases) {
    it(`seed → ${to} = ${expected}`, () => {
      const r = convert(0.01, 'seed', to, c);
      assertClose(r.value, expected);
      assert.equal(r.formula, formula);
    });
  }

  it('into the seed', () => {
    assertClose(convert(1e-4, 'keras', 'seed', { m: 1000 }).value, 0.2); // λ = 2m·l
    assertClose(convert(5e-4, 'pytorch', 'seed', { m: 1000 }).value, 0.5); // λ = m·wd
    assertClose(convert(2e-4, 'sklearn-mlp', 'seed', { m: 1000, batchSize: 50 }).value, 0.004); // λ = m·α/B
    assertClose(convert(0.5, 'composer', 'seed', { m: 1000, lr: 0.1 }).value, 5000); // λ = m·wd/lr
    assertClose(convert(4, 'sklearn-logistic', 'seed').value, 0.25); // λ = 1/C
    assertClose(convert(3, 'bayes', 'seed', { noisePrecision: 2 }).value, 1.5); // λ = δ/β
    assertClose(convert(1e-3, 'glmnet', 'seed', { m: 200 }).value, 0.2); // λ = m·λ_g
  });

  it('between two averaged objectives m cancels and is not needed', () => {
    const r = convert(5e-4, 'pytorch', 'keras');
    assertClose(r.value, 2.5e-4);
    assert.equal(r.formula, 'l = λ/(2m), where λ/m = wd');
    assertClose(convert(1e-3, 'glmnet', 'sklearn-mlp', { batchSize: 32 }).value, 0.032);
    assertClose(convert(1e-7, 'keras', 'sklearn-mlp', { batchSize: 200 }).value, 4e-5);
  });

  it('between two summed objectives m cancels and is not needed', () => {
    assertClose(convert(2, 'sklearn-ridge', 'sklearn-logistic').value, 0.5);
    assertClose(convert(0.5, 'sklearn-logistic', 'bayes', { noisePrecision: 10 }).value, 20);
  });

  it('across the two scales', () => {
    const r = convert(1, 'sklearn-logistic', 'pytorch', { m: 1000 });
    assertClose(r.value, 1e-3);
    assert.equal(r.formula, 'wd = λ/m, where λ = 1/C');
  });
});

describe('convert: missing values are named with their formula', () => {
  it('m', () => {
    assertInvalid(() => convert(0.01, 'seed', 'pytorch'), /^Converting from seed to pytorch needs --m \(the training-set size m\): wd = λ\/m\.$/);
    assertInvalid(() => convert(1e-4, 'keras', 'sklearn-ridge'), /needs --m .*α = λ, where λ = 2m·l/);
  });
  it('batch size (the example of the brief, word for word)', () => {
    assertInvalid(
      () => convert(1e-7, 'keras', 'sklearn-mlp', { m: 50_000 }),
      /^Converting from keras to sklearn-mlp needs --batch-size \(the minibatch size B\): α = λ·B\/m\. scikit-learn's default batch_size='auto' is min\(200, m\)/,
    );
    assertInvalid(() => convert(1e-4, 'sklearn-mlp', 'seed', { m: 100 }), /needs --batch-size/);
  });
  it('learning rate', () => {
    assertInvalid(() => convert(0.01, 'seed', 'composer', { m: 10 }), /needs --lr \(the learning rate η\): wd = lr·λ\/m\./);
  });
  it('several at once', () => {
    assertInvalid(() => convert(0.01, 'seed', 'sklearn-mlp'), /needs --m \(the training-set size m\) and --batch-size \(the minibatch size B\)/);
  });
  it('noise precision is assumed, not required', () => {
    const r = convert(0.01, 'seed', 'bayes');
    assert.equal(r.exact, false);
    assert.match(r.note, /β = 1/);
  });
});

describe('convert: exact and approximate', () => {
  it('coupled ↔ decoupled: each optimizer', () => {
    const sgd = convert(2e-7, 'pytorch', 'keras-decoupled', { optimizer: 'sgd' });
    assert.equal(sgd.exact, true);
    assert.match(sgd.note, /plain SGD/);
    for (const optimizer of ['momentum', 'nesterov'] as const) {
      const r = convert(2e-7, 'pytorch', 'adamw', { optimizer });
      assert.equal(r.exact, false, optimizer);
      assert.match(r.note, /accumulated/);
    }
    for (const optimizer of ['adam', 'adamw'] as const) {
      const r = convert(2e-7, 'adamw', 'seed', { optimizer, m: 10 });
      assert.equal(r.exact, false, optimizer);
      assert.match(r.note, /Adam divides coupled decay c·θ by √v̂/);
    }
    const unknown = convert(2e-7, 'pytorch', 'adamw');
    assert.equal(unknown.exact, false);
    assert.match(unknown.note, /only under plain SGD/);
  });
  it('same coupling is exact under every optimizer', () => {
    for (const optimizer of [undefined, 'sgd', 'momentum', 'nesterov', 'adam', 'adamw'] as const) {
      assert.equal(convert(1e-4, 'keras', 'pytorch', { optimizer }).exact, true);
      assert.equal(convert(1e-4, 'adamw', 'keras-decoupled', { optimizer }).exact, true);
      assert.equal(convert(1e-4, 'adamw', 'composer', { optimizer, lr: 0.1 }).exact, true);
      assert.equal(convert(0.01, 'seed', 'sklearn-logistic', { optimizer }).exact, true);
    }
  });
  it('sklearn-mlp: exact only when every minibatch is full', () => {
    assert.equal(convert(0.01, 'seed', 'sklearn-mlp', { m: 1000, batchSize: 100 }).exact, true);
    assert.equal(convert(0.01, 'seed', 'sklearn-mlp', { m: 1000, batchSize: 1000 }).exact, true);
    const partial = convert(0.01, 'seed', 'sklearn-mlp', { m: 1000, batchSize: 128 });
    assert.equal(partial.exact, false);
    assert.match(partial.note, /last minibatch has 104 samples/);
    assert.equal(convert(1e-4, 'pytorch', 'sklearn-mlp', { batchSize: 128 }).exact, false, 'unknown m: cannot vouch');
  });
  it('glmnet is flagged approximate (standardization)', () => {
    const r = convert(0.01, 'seed', 'glmnet', { m: 100 });
    assert.equal(r.exact, false);
    assert.match(r.note, /standardiz/);
  });
  it('bayes is exact once β is given', () => {
    assert.equal(convert(0.01, 'seed', 'bayes', { noisePrecision: 2 }).exact, true);
  });
  it('the identity is exact', () => {
    assert.equal(convert(0.3, 'adamw', 'adamw').exact, true);
  });
});

describe('convert: invalid input', () => {
  it('rejects negative, NaN and non-finite values', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assertInvalid(() => convert(bad, 'seed', 'keras', { m: 10 }), /The 'lambda' option of convert must be a number in \[0, ∞\)/);
    }
  });
  it('rejects C = 0 and λ = 0 into sklearn-logistic', () => {
    assertInvalid(() => convert(0, 'sklearn-logistic', 'seed'), /must be a number in \(0, ∞\) \(C = 1\/λ; C = 0 would be an infinite penalty\)\. Got 0/);
    assertInvalid(() => convert(0, 'seed', 'sklearn-logistic'), /no finite C .*penalty=None/);
  });
  it('rejects an unknown convention and lists the known ones', () => {
    assertInvalid(() => convert(1, 'seed', 'kears'), /Unknown convention 'kears' in --to\. Known conventions: seed, keras, pytorch, adamw, keras-decoupled, composer, sklearn-mlp, sklearn-ridge, sklearn-logistic, glmnet, bayes\./);
    assertInvalid(() => convert(1, 'tf', 'seed'), /Unknown convention 'tf' in --from/);
  });
  it('rejects invalid context values even when not needed', () => {
    assertInvalid(() => convert(1, 'seed', 'seed', { m: 0 }), /'m' option .* integer in \[1, ∞\)/);
    assertInvalid(() => convert(1, 'seed', 'seed', { m: 2.5 }), /Got 2\.5 instead/);
    assertInvalid(() => convert(1, 'seed', 'seed', { batchSize: 0 }), /'batch-size'/);
    assertInvalid(() => convert(1, 'seed', 'seed', { m: 10, batchSize: 20 }), /cannot exceed the training-set size.*--batch-size 10/);
    assertInvalid(() => convert(1, 'seed', 'seed', { lr: 0 }), /'lr' option .*\(0, ∞\)/);
    assertInvalid(() => convert(1, 'seed', 'seed', { noisePrecision: -2 }), /'noise-precision'/);
    assertInvalid(() => convert(1, 'seed', 'seed', { optimizer: 'rmsprop' as never }), /Unknown optimizer 'rmsprop'\. Known optimizers: sgd, momentum, nesterov, adam, adamw\./);
  });
});

describe('convertAll', () => {
  it('gives one row per convention and marks the ones it cannot compute', () => {
    const rows = convertAll(0.01, 'seed', { m: 50_000 });
    assert.deepEqual(rows.map((r) => r.to), [...CONVENTION_IDS]);
    const keras = rows.find((r) => r.to === 'keras');
    assert.ok(keras?.ok);
    assertClose(keras.conversion.value, 1e-7);
    const mlp = rows.find((r) => r.to === 'sklearn-mlp');
    assert.ok(mlp && !mlp.ok);
    assert.match(mlp.error, /needs --batch-size/);
    assert.equal(mlp.formula, 'α = λ·B/m');
  });
  it('λ = 0 leaves only sklearn-logistic uncomputed', () => {
    const failed = convertAll(0, 'seed', FULL).filter((r) => !r.ok);
    assert.deepEqual(failed.map((r) => r.to), ['sklearn-logistic']);
  });
  it('throws when the source itself needs a missing value', () => {
    assertInvalid(() => convertAll(1e-4, 'sklearn-mlp', { m: 10 }), /^Converting from sklearn-mlp needs --batch-size/);
    assertInvalid(() => convertAll(-3, 'seed'), /'lambda'/);
  });
});
