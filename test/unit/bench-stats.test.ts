// The summaries the benchmarks print their figures with.
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../bench/stats';

describe('benchmark statistics', () => {
  it('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('quantile: interpolates between the nearest values, whatever their order', () => {
    const shares = [0.85, 0.74, 0.96, 0.87, 0.71];
    expect(quantile(shares, 0)).toBe(0.71);
    expect(quantile(shares, 1)).toBe(0.96);
    expect(quantile(shares, 0.5)).toBe(median(shares));
    expect(quantile(shares, 0.25)).toBeCloseTo(0.74);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25);
    expect(quantile([7], 0.25)).toBe(7);
  });
});
