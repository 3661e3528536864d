// A virtual list's arithmetic: which rows of a long list are in (or near) the viewport, how much
// empty space stands in for the rest, and which pages of rows to fetch. Rows have one fixed height,
// so the window is exact and a 100,000-row list keeps a few dozen rows in the DOM. Pure, no DOM.

export interface VirtualWindow {
  /** First row to render (0-based). */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Empty space above the first rendered row, in px. */
  padTop: number;
  /** Empty space below the last rendered row, in px. */
  padBottom: number;
}

/**
 * The rows to render for a scroll position.
 * @param overscan rows rendered beyond each edge, so a fast scroll does not show blank space
 */
export function virtualWindow(total: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 8): VirtualWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const maxScroll = Math.max(0, total * rowHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (total - end) * rowHeight };
}

/** The scrollTop that brings row `index` into view, or null when it already is (fully). */
export function revealScrollTop(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number | null {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return null;
}

/** The pages (0-based, `pageSize` rows each) that rows [start, end) fall in. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}
