// The certificate workshop's live state: the tree, running jobs, and which form is open.
// It listens to the engine once for the life of the window, so a job started on one view is
// still seen on another.
import type { PkiJobEvent, PkiKeyProtection, PkiTree } from '../api/contract';
import { errorInfo } from '../lib/pki-forms';
import { mergeJob, pruneJobs } from '../lib/pki-jobs';
import { STARTER, starterCa } from '../lib/server-form';
import { engine } from './app.svelte';

/** Which action form the Certificates view shows, with what it was opened for. */
export type PkiAction =
  | { kind: 'ca'; parent?: string }
  /** `cn`: the host name the form starts with (Start here's teacher path asks for a lab's second name). */
  | { kind: 'issue'; ca?: string; cn?: string }
  | { kind: 'csr-create' }
  | { kind: 'csr-sign'; csrId?: number }
  | { kind: 'import' }
  | { kind: 'forge'; ca?: string }
  | { kind: 'inspect-pem' };

/** A line shown after an action succeeded, with the certificate it made. */
export interface PkiNotice {
  text: string;
  /** What real clients will refuse in the certificate just made, shown under the line. */
  cautions?: string[];
  certificateId?: number;
  csrId?: number;
  /** The certificate just issued, for the next step: a server that presents it, or a client that does. */
  use?: { kind: 'server' | 'client'; name: string };
}

export const pki = $state({
  tree: null as PkiTree | null,
  loaded: false,
  loadError: null as string | null,
  jobs: [] as PkiJobEvent[],
  action: null as PkiAction | null,
  notice: null as PkiNotice | null,
});

let watching = false;

export async function refreshPki(): Promise<void> {
  try {
    pki.tree = await engine().call('pki.cas.list', {});
    pki.loadError = null;
  } catch (error) {
    pki.loadError = errorInfo(error).message;
  } finally {
    pki.loaded = true;
  }
}

export function setKeyProtection(protection: PkiKeyProtection): void {
  if (pki.tree) pki.tree = { ...pki.tree, keyProtection: protection };
}

export function openAction(action: PkiAction | null): void {
  pki.action = action;
  pki.notice = null;
}

/** Starts listening to the workshop's events (once) and loads the tree. */
export function watchPki(): void {
  if (watching) {
    void refreshPki();
    return;
  }
  watching = true;
  const client = engine();
  client.on('pki.changed', () => void refreshPki());
  client.on('pki.job', (event) => {
    pki.jobs = pruneJobs(mergeJob(pki.jobs, event), Date.now());
  });
  // Events missed while the engine was away are not replayed: reload on every (re)open.
  client.onState((state) => {
    if (state.kind === 'open') void refreshPki();
  });
}

/**
 * The lab's usual start in one step: the root CA "Lab Root" (made unless the workshop has it with
 * its key) and a server certificate for www.bank32.com signed by it. Returns the certificate's
 * workbench name and the CA's.
 */
export async function makeLabStarter(): Promise<{ certificate: string; ca: string; madeCa: boolean }> {
  const client = engine();
  const tree = await client.call('pki.cas.list', {});
  const ca = starterCa(tree);
  if (!ca.exists) await client.call('pki.ca.create', { name: ca.name, subject: { ...STARTER.caSubject, CN: ca.name } });
  const issued = await client.call('pki.cert.issue', {
    ca: ca.name,
    subject: { ...STARTER.hostSubject },
    subjectAltNames: [`DNS:${STARTER.host}`],
  });
  await refreshPki();
  return { certificate: issued.certificate.name, ca: ca.name, madeCa: !ca.exists };
}
