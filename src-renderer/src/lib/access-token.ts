// The engine prints a URL carrying the per-launch token as `#token=...` (or `?token=...`).
// The token is taken out of the URL so the hash is free for routing; the caller keeps it in
// sessionStorage so a reload of the same window still has it.

export interface UrlWithoutToken {
  /** The token found in the URL, or null when it carries none. */
  token: string | null;
  /** The hash with the token removed ("" when nothing else was in it). */
  hash: string;
  /** The query string with the token removed ("" when nothing else was in it). */
  search: string;
}

const HASH_TOKEN = /(^#|[?&])token=([^&]*)(&?)/;

export function takeTokenFromUrl(hash: string, search: string): UrlWithoutToken {
  let token: string | null = null;
  let cleanHash = hash;
  const inHash = HASH_TOKEN.exec(hash);
  if (inHash) {
    token = safeDecode(inHash[2]);
    const [whole, lead, , trail] = inHash;
    // "#token=a&x" -> "#x"; "#/route?token=a" -> "#/route"; "#/route?token=a&x=1" -> "#/route?x=1"
    const replacement = trail ? lead : '';
    cleanHash = hash.slice(0, inHash.index) + replacement + hash.slice(inHash.index + whole.length);
    if (cleanHash === '#') cleanHash = '';
  }
  let cleanSearch = search;
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const fromQuery = params.get('token');
  if (fromQuery !== null) {
    token ??= fromQuery;
    params.delete('token');
    const rest = params.toString();
    cleanSearch = rest ? `?${rest}` : '';
  }
  if (token === '') token = null;
  return { token, hash: cleanHash, search: cleanSearch };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
