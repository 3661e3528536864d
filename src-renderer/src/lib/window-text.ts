// Engine messages are written for the command line too: their advice names tlslab's flags
// ("widen --min-version/--max-version", "(--no-verify)"), which a window user has never seen and
// cannot type anywhere. The window shows the message without that advice; its forms and panels
// say what to change. Flags of the other programs in a lab (curl --cacert, curl --http1.1,
// openssl -CAfile) are advice for the student's own peer and stay.

/** Flags of the tlslab command that engine messages name. */
const TLSLAB_FLAGS = [
  'again', 'ca', 'ca-file', 'cert', 'ciphers', 'client', 'client-ca', 'connect-listen', 'connect-to', 'connection', 'data-dir', 'dir',
  'host', 'identity', 'json', 'key', 'key-passphrase-file', 'keylog', 'listen', 'map', 'max-version', 'min-version', 'mode',
  'no-check-hostname', 'no-secrets', 'no-verify', 'page', 'partial-chain', 'passphrase-file', 'port', 'record-cap', 'rewrite', 'to',
  'upstream-ca', 'upstream-insecure', 'workbench-passphrase-file',
];

const FLAG = `--(?:${TLSLAB_FLAGS.join('|')})(?![\\w-])`;
/** A tlslab flag or command, unless another program's name comes just before it (curl --ciphers). */
const CLI = new RegExp(`(?<!\\b(?:curl|openssl|wget)(?: \\S+)? )${FLAG}|\\btlslab [a-z]`);

/** Whether the text names a tlslab flag or command. */
export function namesCliFlag(text: string): boolean {
  return CLI.test(text);
}

/**
 * The message as the window shows it: a parenthesis that names the command line goes, as does an
 * "e.g. --flag ..." or ", or ... --flag" tail; if a flag is still left, the message stops at the
 * end of the last clause before it. A message that begins with its flag is left whole (its advice
 * is all there is).
 */
export function windowText(message: string): string {
  if (!namesCliFlag(message)) return message;
  let text = message.replace(/ ?\(([^()]*)\)/g, (whole, inside: string) => (namesCliFlag(inside) ? '' : whole));
  // "..., e.g. --ciphers 'DEFAULT:@SECLEVEL=0'" and "stop it, or choose another with --listen ..." to the clause's end.
  text = text.replace(/,? (?:e\.g\.|or) [^;,]*?(?=--|tlslab )[^;]*/g, (tail) => (namesCliFlag(tail) ? '' : tail));
  const at = text.search(CLI);
  if (at < 0) return text;
  const before = text.slice(0, at);
  const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('; '), before.lastIndexOf(': '));
  if (cut <= 0) return message;
  return `${text.slice(0, cut).replace(/[,\s]+$/, '')}.`;
}
