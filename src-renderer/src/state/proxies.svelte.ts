// The proxies' live state: the list, the victim connections reported as they end, and the start
// form's values (kept for the window's life). It listens to the engine once for the life of the
// window, so connections that arrive while another view is open are seen.
import { live } from '../lib/batched';
import type { ProxyConnectionSummary, ProxyInfo } from '../api/contract';
import { addProxyConnection, mergeProxy, sortProxies } from '../lib/proxy-view';
import { restoreProxyForm, type ProxyForm } from '../lib/proxy-form';
import { errorInfo } from './servers.svelte';
import { engine } from './app.svelte';
import { RunningState } from './running.svelte';

const STORAGE_KEY = 'tlslab.proxyForm';

function loadForm(): ProxyForm {
  try {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (saved) return restoreProxyForm(JSON.parse(saved) as Partial<ProxyForm>);
  } catch {
    // A damaged or unavailable store just means starting from the defaults.
  }
  return restoreProxyForm(null);
}

/** The proxies' state; its connections are the victims' connections. */
export const proxies = new RunningState<ProxyInfo, ProxyConnectionSummary, ProxyForm>(loadForm());

export function saveProxyForm(): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(proxies.form));
  } catch {
    // Not being able to remember the form is not worth bothering the student about.
  }
}

export function replaceProxyForm(form: ProxyForm): void {
  proxies.form = form;
  saveProxyForm();
}

export async function refreshProxies(): Promise<void> {
  try {
    replaceProxies(await engine().call('proxies.list', {}));
    // Connections that ended before this window opened (or reloaded), as their events said them.
    const ended = await engine().call('proxies.connections', {});
    proxies.connections = ended.reduce((list, summary) => addProxyConnection(list, summary), proxies.connections);
    proxies.loadError = null;
  } catch (error) {
    proxies.loadError = errorInfo(error).message;
  } finally {
    proxies.loaded = true;
  }
}

/** Answers of the engine replace what its events said before them (as rememberServer). */
export function rememberProxy(proxy: ProxyInfo): void {
  live.flush();
  proxies.list = mergeProxy(proxies.list, proxy);
}

export function replaceProxies(list: ProxyInfo[]): void {
  live.flush();
  proxies.list = sortProxies(list);
}

let watching = false;

/** Starts listening to the proxies' events (once) and loads the list. */
export function watchProxies(): void {
  if (watching) {
    void refreshProxies();
    return;
  }
  watching = true;
  const client = engine();
  // The counts change with every connection: on the live clock too.
  const changed = live.queue<ProxyInfo>((infos) => {
    proxies.list = infos.reduce((list, info) => mergeProxy(list, info), proxies.list);
  });
  client.on('proxy.changed', (proxy) => changed.add(proxy));
  // A batch at a time (batched.ts): a load test reports hundreds of connections a second.
  const ended = live.queue<(typeof proxies.connections)[number]>((summaries) => {
    proxies.connections = summaries.reduce((list, summary) => addProxyConnection(list, summary), proxies.connections);
  });
  client.on('proxy.connection', (summary) => ended.add(summary));
  // Events missed while the engine was away are not replayed: reload on every (re)open.
  client.onState((state) => {
    if (state.kind === 'open') void refreshProxies();
  });
}
