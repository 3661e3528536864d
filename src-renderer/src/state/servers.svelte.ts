// The lab servers' live state: the list, the connections reported as they end, and the start
// form's values (kept for the window's life, passphrases never stored). It listens to the engine
// once for the life of the window, so connections that arrive while another view is open are seen.
import type { ServerConnectionSummary, ServerInfo } from '../api/contract';
import { EngineCallError } from '../api/client';
import type { ApiErrorInfo } from '../api/contract';
import { addConnectionSummary, mergeServer, sortServers } from '../lib/server-view';
import { restoreServerForm, storableServerForm, type ServerForm } from '../lib/server-form';
import { engine } from './app.svelte';

const STORAGE_KEY = 'tlslab.serverForm';

function loadForm(): ServerForm {
  try {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (saved) return restoreServerForm(JSON.parse(saved) as Partial<ServerForm>);
  } catch {
    // A damaged or unavailable store just means starting from the defaults.
  }
  return restoreServerForm(null);
}

export const servers = $state({
  list: [] as ServerInfo[],
  loaded: false,
  loadError: null as string | null,
  /** Ended connections as the engine reported them, newest first, a bounded number per server. */
  connections: [] as ServerConnectionSummary[],
  form: loadForm(),
  /** Whether the start form is open (it opens by itself while there is no server). */
  formOpen: null as boolean | null,
});

export function saveServerForm(): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(storableServerForm(servers.form)));
  } catch {
    // Not being able to remember the form is not worth bothering the student about.
  }
}

export function replaceServerForm(form: ServerForm): void {
  servers.form = form;
  saveServerForm();
}

export function errorInfo(error: unknown): ApiErrorInfo {
  return error instanceof EngineCallError
    ? { code: error.code, message: error.message }
    : { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}

export async function refreshServers(): Promise<void> {
  try {
    servers.list = sortServers(await engine().call('servers.list', {}));
    servers.loadError = null;
  } catch (error) {
    servers.loadError = errorInfo(error).message;
  } finally {
    servers.loaded = true;
  }
}

export function rememberServer(server: ServerInfo): void {
  servers.list = mergeServer(servers.list, server);
}

let watching = false;

/** Starts listening to the servers' events (once) and loads the list. */
export function watchServers(): void {
  if (watching) {
    void refreshServers();
    return;
  }
  watching = true;
  const client = engine();
  client.on('server.changed', (server) => rememberServer(server));
  client.on('server.connection', (summary) => {
    servers.connections = addConnectionSummary(servers.connections, summary);
  });
  // Events missed while the engine was away are not replayed: reload on every (re)open.
  client.onState((state) => {
    if (state.kind === 'open') void refreshServers();
  });
}
