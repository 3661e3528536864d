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
