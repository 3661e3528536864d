// Where the keyboard goes when a button opens or closes a part of the page in its own place: the
// button is gone, and without this the focus fell back to the top of the page.
import { tick } from 'svelte';

const FIELDS = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

/** After the next draw, the first field (the checked radio of a group) inside the first element `selector` finds. */
export async function focusFirstField(selector: string): Promise<void> {
  await tick();
  const root = document.querySelector(selector);
  const fields = root ? [...root.querySelectorAll<HTMLInputElement>(FIELDS)] : [];
  const first = fields.find((f) => f.type !== 'radio' || f.checked) ?? fields[0];
  first?.focus();
}

/** After the next draw, the element with this test id. */
export async function focusTestId(testId: string): Promise<void> {
  await tick();
  document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.focus();
}

/** After the next draw, the element with this test id in `row` (a row's question gone, its button back). */
export async function focusInRow(row: Element | null | undefined, testId: string): Promise<void> {
  await tick();
  row?.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.focus();
}

/** A keydown handler that runs `then` on Escape (and keeps the key from going further). */
export function onEscape(then: (event: KeyboardEvent) => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    then(event);
  };
}

/**
 * The arrow keys of a row of tabs (the WAI-ARIA tabs pattern): Left and Right go to the previous and
 * next tab, Home and End to the first and last; the tab is chosen and takes the focus. Only the
 * chosen tab is in the Tab order, so Tab goes on to what the tab shows.
 */
export function tabKeys<T extends string>(event: KeyboardEvent, tabs: readonly T[], current: T, choose: (tab: T) => void): void {
  const at = tabs.indexOf(current);
  const next =
    event.key === 'ArrowRight' ? tabs[(at + 1) % tabs.length]
    : event.key === 'ArrowLeft' ? tabs[(at - 1 + tabs.length) % tabs.length]
    : event.key === 'Home' ? tabs[0]
    : event.key === 'End' ? tabs[tabs.length - 1]
    : undefined;
  if (next === undefined) return;
  event.preventDefault();
  const list = (event.currentTarget as HTMLElement | null)?.closest('[role="tablist"]');
  choose(next);
  void tick().then(() => list?.querySelector<HTMLElement>(`[role="tab"][data-tab="${next}"]`)?.focus());
}
