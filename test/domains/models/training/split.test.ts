import { stratifiedSplit } from '../../../../src/domains/models/training/split';

describe('stratified split', () => {
  const labels = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(7).fill(2), 3];

  it('puts every row in exactly one part', () => {
    const { train, test } = stratifiedSplit(labels, 1);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
  });

  it('holds out 20 % of each class, and keeps a class of one row for training', () => {
    const { test } = stratifiedSplit(labels, 1);
    const count = (c: number) => test.filter((i) => labels[i] === c).length;
    expect([count(0), count(1), count(2), count(3)]).toEqual([10, 6, 1, 0]);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(stratifiedSplit(labels, 9)).toEqual(stratifiedSplit(labels, 9));
    expect(stratifiedSplit(labels, 9).test).not.toEqual(stratifiedSplit(labels, 10).test);
  });
});
