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
