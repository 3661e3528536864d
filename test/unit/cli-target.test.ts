// The target of `tlslab client`: HOST[:PORT], [V6]:PORT, or an https:// URL pasted from a browser.
import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../src-main/cli/common';

describe('tlslab client TARGET', () => {
  it('reads HOST, HOST:PORT and [V6]:PORT, 443 by default', () => {
    expect(parseTarget('www.bank32.com')).toEqual({ host: 'www.bank32.com', port: 443 });
    expect(parseTarget('www.bank32.com:4433')).toEqual({ host: 'www.bank32.com', port: 4433 });
    expect(parseTarget('[::1]:4433')).toEqual({ host: '::1', port: 4433 });
  });

  it('takes an https:// URL with its path and query, which the client then fetches', () => {
    expect(parseTarget('https://www.bank32.com:4433/login.html?user=alice')).toEqual({ host: 'www.bank32.com', port: 4433, path: '/login.html?user=alice' });
    expect(parseTarget('https://www.bank32.com')).toEqual({ host: 'www.bank32.com', port: 443, path: '/' });
    expect(parseTarget('HTTPS://[::1]:8443/')).toEqual({ host: '::1', port: 8443, path: '/' });
  });

  it('turns away plain http:// and a path without a scheme, each with what to type instead', () => {
    expect(() => parseTarget('http://www.bank32.com/')).toThrow('"http://www.bank32.com/" uses http://, and the workbench\'s client speaks TLS: give an https:// URL or HOST:PORT');
    expect(() => parseTarget('www.bank32.com:4433/index.html')).toThrow('has a path: give HOST:PORT and the path with --get (e.g. www.bank32.com:4433 --get /index.html), or the whole https:// URL');
  });
});
