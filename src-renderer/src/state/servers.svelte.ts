// The lab servers' live state: the list, the connections reported as they end, and the start
// form's values (kept for the window's life, passphrases never stored). It listens to the engine
// once for the life of the window, so connections that arrive while another view is open are seen.
import { live } from '../lib/batched';
import type { RunningElsewhere, ServerConnectionSummary, ServerInfo } from '../api/contract';
import { EngineCallError } from '../api/client';
import type { ApiErrorInfo } from '../api/contract';
import { addConnectionSummary, mergeServer, sortServers } from '../lib/server-view';
import { restoreServerForm, storableServerForm, type ServerForm } from '../lib/server-form';
import { engine } from './app.svelte';
import { RunningState } from './running.svelte';
import { windowText } from '../lib/window-text';

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

export const servers = new RunningState<ServerInfo, ServerConnectionSummary, ServerForm>(loadForm());

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
    ? { code: error.code, message: windowText(error.message) }
    : { code: 'UNEXPECTED', message: windowText(error instanceof Error ? error.message : String(error)) };
}

export async function refreshServers(): Promise<void> {
  try {
    replaceServers(await engine().call('servers.list', {}));
    servers.loadError = null;
  } catch (error) {
    servers.loadError = errorInfo(error).message;
  } finally {
    servers.loaded = true;
  }
}

/**
 * Answers of the engine replace what its events said before them: queued events go first (see
 * lib/batched), so an older one cannot land after the answer.
 */
export function rememberServer(server: ServerInfo): void {
  live.flush();
  servers.list = mergeServer(servers.list, server);
}

export function replaceServers(list: ServerInfo[]): void {
  live.flush();
  servers.list = sortServers(list);
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
  // The counts change with every connection: on the live clock too.
  const changed = live.queue<ServerInfo>((infos) => {
    servers.list = infos.reduce((list, info) => mergeServer(list, info), servers.list);
  });
  client.on('server.changed', (server) => changed.add(server));
  // A batch at a time (batched.ts): a load test reports hundreds of connections a second.
  const ended = live.queue<(typeof servers.connections)[number]>((summaries) => {
    servers.connections = summaries.reduce((list, summary) => addConnectionSummary(list, summary), servers.connections);
  });
  client.on('server.connection', (summary) => ended.add(summary));
  // Events missed while the engine was away are not replayed: reload on every (re)open.
  client.onState((state) => {
    if (state.kind === 'open') void refreshServers();
  });
}

/**
 * Servers, proxies and replay servers run from a terminal on this data folder (servers.elsewhere).
 * The engine learns of them only by reading the folder, so a view that shows them asks again now
 * and then (watchElsewhere).
 */
export const elsewhere = $state<{ list: RunningElsewhere[]; loaded: boolean }>({ list: [], loaded: false });

/** How often an open view asks for them again: a terminal's server appears within this. */
export const ELSEWHERE_REFRESH_MS = 3000;

export async function refreshElsewhere(): Promise<void> {
  try {
    elsewhere.list = await engine().call('servers.elsewhere', {});
  } catch {
    // The engine away or busy: the list stays as it was, and the next round asks again.
  } finally {
    elsewhere.loaded = true;
  }
}

/** Loads the list now and keeps it current until the returned function is called (the view closes). */
export function watchElsewhere(): () => void {
  const timer = setInterval(() => void refreshElsewhere(), ELSEWHERE_REFRESH_MS);
  // Called at once with the present state: an open engine is asked now.
  const offState = engine().onState((state) => {
    if (state.kind === 'open') void refreshElsewhere();
  });
  return () => {
    clearInterval(timer);
    offState();
  };
}
