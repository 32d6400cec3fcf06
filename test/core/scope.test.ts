import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keep, memory, tensor, tidy, type Tensor } from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';

const live = () => memory().tensors;

test('tidy disposes intermediates and keeps the returned tensor', async () => {
  await withLeakCheck(() => {
    const before = live();
    let mid: Tensor | undefined;
    const out = tidy(() => {
      const a = tensor([1, 2]);
      mid = a.mul(2);
      return mid.add(1);
    });
    assert.equal(mid!.isDisposed, true);
    assert.equal(out.isDisposed, false);
    assert.deepEqual(out.toNumbers(), [3, 5]);
    assert.equal(live(), before + 1);
    return out;
  });
});

test('tidy keeps tensors inside returned arrays, plain objects, nested structures and Maps', async () => {
  await withLeakCheck(() => {
    const before = live();
    const r = tidy(() => {
      const a = tensor([1]);
      const b = tensor([2]);
      const c = tensor([3]);
      const d = tensor([4]);
      const e = tensor([5]);
      tensor([6]); // dropped
      return { pair: [a, b], nested: { deep: [{ c }] }, map: new Map([['d', d]]), e, label: 'x', n: 1 };
    });
    assert.equal(live(), before + 5);
    for (const t of [r.pair[0]!, r.pair[1]!, r.nested.deep[0]!.c, r.map.get('d')!, r.e]) assert.equal(t.isDisposed, false);
    r.map.get('d')!.dispose();
    return r;
  });
});

test('tidy returns non-tensor values unchanged', () => {
  const before = live();
  assert.equal(tidy(() => tensor([1, 2]).sum().item()), 3);
  assert.equal(tidy(() => undefined), undefined);
  assert.equal(tidy(() => null), null);
  assert.equal(live(), before);
});

test('nested tidy: the inner result belongs to the outer scope', async () => {
  await withLeakCheck(() => {
    const before = live();
    let inner: Tensor | undefined;
    let innerTmp: Tensor | undefined;
    const out = tidy(() => {
      inner = tidy(() => {
        innerTmp = tensor([1]);
        return innerTmp.add(1);
      });
      assert.equal(innerTmp!.isDisposed, true);
      assert.equal(inner.isDisposed, false);
      return inner.mul(10);
    });
    // Not returned from the outer scope: disposed when it closes.
    assert.equal(inner!.isDisposed, true);
    assert.deepEqual(out.toNumbers(), [20]);
    assert.equal(live(), before + 1);
    return out;
  });
});

test('a tensor created outside is not disposed by tidy, even if used inside', async () => {
  const outside = tensor([1, 2]);
  await withLeakCheck(() => {
    tidy(() => {
      outside.add(1);
    });
    assert.equal(tidy(() => outside), outside);
  });
  assert.equal(outside.isDisposed, false);
  outside.dispose();
});

test('tidy disposes everything on throw and rethrows', async () => {
  await withLeakCheck(() => {
    let a: Tensor | undefined;
    const err = new Error('boom');
    assert.throws(() => tidy(() => {
      a = tensor([1]);
      a.add(1);
      throw err;
    }), (e) => e === err);
    assert.equal(a!.isDisposed, true);
  });
});

test('tidy rejects an async function and disposes what it created synchronously', async () => {
  await withLeakCheck(async () => {
    let a: Tensor | undefined;
    const fn = async () => {
      a = tensor([1]);
      return a;
    };
    assert.throws(() => tidy(fn as never), { name: 'Error', message: /tidy\(fn\).*Promise.*synchronous/ });
    assert.equal(a!.isDisposed, true);
  });
});

test('keep() survives tidy (also nested) until disposed explicitly', async () => {
  await withLeakCheck(() => {
    const before = live();
    let kept: Tensor | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(tensor([7]));
        tensor([8]);
      });
      assert.equal(kept!.isDisposed, false);
    });
    assert.equal(kept!.isDisposed, false);
    assert.equal(live(), before + 1);
    assert.equal(kept!.item(), 7);
    kept!.dispose();
    assert.equal(live(), before);
  });
});

test('dispose is idempotent and isDisposed reports it', () => {
  const before = live();
  const t = tensor([1, 2, 3]);
  assert.equal(t.isDisposed, false);
  t.dispose();
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.equal(live(), before);
  assert.equal(t.toString(), 'Tensor(disposed)');
});

test('disposing one handle leaves other handles to the same data alive', async () => {
  await withLeakCheck(() => {
    const a = tensor([1, 2, 3]);
    const v = a.slice(0, 1);
    a.dispose();
    assert.deepEqual(v.toNumbers(), [2, 3]);
    v.dispose();
  });
});
