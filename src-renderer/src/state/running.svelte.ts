// The live state the Servers and Proxy views share the shape of: what runs, the connections
// reported as they end, and the start form's values (kept for the window's life).
export class RunningState<Info, Connection, Form> {
  list = $state<Info[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /**
   * Ended connections as the engine reported them, newest first, a bounded number per server or
   * proxy. Replaced whole on every change, so raw: reading it costs no proxies.
   */
  connections = $state.raw<Connection[]>([]);
  form: Form = $state() as Form;
  /** Whether the start form is open (it opens by itself while nothing runs). */
  formOpen = $state<boolean | null>(null);

  constructor(form: Form) {
    this.form = form;
  }
}
