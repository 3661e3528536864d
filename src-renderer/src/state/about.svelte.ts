// What the engine says about itself (engine.about), asked once and kept for the forms that need it.
import type { AboutInfo } from '../api/contract';
import { engine } from './app.svelte';

export const about = $state<{ info: AboutInfo | null }>({ info: null });

let asked = false;

/** Asks the engine once; a failure leaves the forms as they are without it. */
export function loadAbout(): void {
  if (asked) return;
  asked = true;
  engine()
    .call('engine.about', {})
    .then((info) => {
      about.info = info;
    })
    .catch(() => {
      asked = false;
    });
}
