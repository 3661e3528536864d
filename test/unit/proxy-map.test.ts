// The proxy's --map: a name as victims send it (SNI and CONNECT carry IDNA ASCII), to an address.
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../src-main/sessions/proxyServer';

describe('proxy --map NAME=ADDRESS', () => {
  it('keeps the name as victims send it, an internationalised one in IDNA ASCII', () => {
    expect(parseMapping('WWW.Bank32.com.', '127.0.0.1:4433')).toEqual({ host: 'www.bank32.com', target: { ip: '127.0.0.1', port: 4433 } });
    expect(parseMapping('bücher.example', '127.0.0.1')).toEqual({ host: 'xn--bcher-kva.example', target: { ip: '127.0.0.1', port: null } });
  });
});
