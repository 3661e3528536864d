import { describe, expect, it } from 'vitest';
import { pagesFor, revealScrollTop, virtualWindow } from '../../../src-renderer/src/lib/inside-virtual';

describe('the virtual list window', () => {
  it('keeps a 100,000-row list to a few dozen rendered rows wherever it is scrolled', () => {
    const total = 100_000;
    for (const scrollTop of [0, 1, 12_345, 50_000 * 24, total * 24 - 400, total * 24 + 9_999]) {
      const w = virtualWindow(total, 24, scrollTop, 400, 8);
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(400 / 24) + 1 + 16);
      expect(w.end).toBeLessThanOrEqual(total);
      // The spacers and the rendered rows add up to the whole list's height: the scrollbar is true.
      expect(w.padTop + (w.end - w.start) * 24 + w.padBottom).toBe(total * 24);
    }
  });

  it('shows the rows under the viewport, with overscan on both sides', () => {
    const w = virtualWindow(1000, 20, 2000, 200, 5);
    expect(w.start).toBe(95);
    expect(w.end).toBe(100 + 11 + 5);
    expect(w.padTop).toBe(95 * 20);
  });

  it('renders every row of a short list and nothing of an empty one', () => {
    expect(virtualWindow(3, 20, 0, 400)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(virtualWindow(0, 20, 0, 400)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it('scrolls just enough to reveal a row, and not at all when it shows', () => {
    expect(revealScrollTop(50, 20, 0, 200)).toBe(51 * 20 - 200);
    expect(revealScrollTop(2, 20, 100, 200)).toBe(40);
    expect(revealScrollTop(6, 20, 100, 200)).toBeNull();
  });

  it('names the pages a window needs', () => {
    expect(pagesFor(0, 10, 500)).toEqual([0]);
    expect(pagesFor(495, 530, 500)).toEqual([0, 1]);
    expect(pagesFor(99_990, 100_000, 500)).toEqual([199]);
    expect(pagesFor(5, 5, 500)).toEqual([]);
  });
});
