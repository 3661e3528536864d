// Where this window's token lives: taken from the URL once, then kept in sessionStorage so the
// hash is free for routing and a reload of the same window still connects.
import { takeTokenFromUrl } from '../lib/access-token';

const STORAGE_KEY = 'tlslab.accessToken';

export function resolveAccessToken(): string | null {
  const { token, hash, search } = takeTokenFromUrl(location.hash, location.search);
  if (token !== null) {
    try {
      sessionStorage.setItem(STORAGE_KEY, token);
    } catch {
      // Storage can be disabled; this load still works, a reload will need the link again.
    }
    // Keep the token out of the address bar, history and screenshots.
    history.replaceState(history.state, '', `${location.pathname}${search}${hash || '#/new'}`);
    return token;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
