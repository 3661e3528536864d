// The form's values outlive the view, so going to a session and back keeps what was typed.
import { defaultClientForm, storableClientForm, type ClientForm } from '../lib/client-form';

const STORAGE_KEY = 'tlslab.clientForm';

function load(): ClientForm {
  try {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (saved) return { ...defaultClientForm(), ...(JSON.parse(saved) as Partial<ClientForm>), keyPassphrase: '' };
  } catch {
    // A damaged or unavailable store just means starting from the defaults.
  }
  return defaultClientForm();
}

export const clientForm = $state<{ values: ClientForm }>({ values: load() });

export function saveClientForm(): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(storableClientForm(clientForm.values)));
  } catch {
    // Not being able to remember the form is not worth bothering the student about.
  }
}

export function replaceClientForm(values: ClientForm): void {
  clientForm.values = values;
  saveClientForm();
}
