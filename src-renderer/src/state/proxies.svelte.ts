// The proxies' live state: the list, the victim connections reported as they end, and the start
// form's values (kept for the window's life). It listens to the engine once for the life of the
// window, so connections that arrive while another view is open are seen.
import type { ProxyConnectionSummary, ProxyInfo } from '../api/contract';
import { addProxyConnection, mergeProxy, sortProxies } from '../lib/proxy-view';
import { restoreProxyForm, type ProxyForm } from '../lib/proxy-form';
import { errorInfo } from './servers.svelte';
import { engine } from './app.svelte';

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

export const proxies = $state({
  list: [] as ProxyInfo[],
  loaded: false,
  loadError: null as string | null,
  /** Ended victim connections as the engine reported them, newest first, a bounded number per proxy. */
  connections: [] as ProxyConnectionSummary[],
  form: loadForm(),
  formOpen: null as boolean | null,
});

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
    proxies.list = sortProxies(await engine().call('proxies.list', {}));
    proxies.loadError = null;
  } catch (error) {
    proxies.loadError = errorInfo(error).message;
  } finally {
    proxies.loaded = true;
  }
}

export function rememberProxy(proxy: ProxyInfo): void {
  proxies.list = mergeProxy(proxies.list, proxy);
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
  client.on('proxy.changed', (proxy) => rememberProxy(proxy));
  client.on('proxy.connection', (summary) => {
    proxies.connections = addProxyConnection(proxies.connections, summary);
  });
  // Events missed while the engine was away are not replayed: reload on every (re)open.
  client.onState((state) => {
    if (state.kind === 'open') void refreshProxies();
  });
}
