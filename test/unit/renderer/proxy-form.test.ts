import { describe, expect, it } from 'vitest';
import {
  defaultProxyForm,
  emptyRewrite,
  parseHostMap,
  proxyFormFromConfig,
  restoreProxyForm,
  ruleLabel,
  validateProxyForm,
  type ProxyForm,
} from '../../../src-renderer/src/lib/proxy-form';

function form(overrides: Partial<ProxyForm> = {}): ProxyForm {
  return { ...defaultProxyForm(), ca: 'Lab MITM CA', ...overrides };
}

describe('the proxy start form', () => {
  it('becomes the smallest config: transparent mode on the lab port, system trust', () => {
    const result = validateProxyForm(form());
    expect(result).toEqual({ ok: true, config: { mode: 'transparent', ca: 'Lab MITM CA', upstreamTrust: { kind: 'system' }, listen: '127.0.0.1:8443' } });
  });

  it('asks for the CA, and refuses non-loopback and privileged listen addresses in words', () => {
    const result = validateProxyForm({ ...defaultProxyForm(), mode: 'both', listen: '0.0.0.0:8443', connectListen: '127.0.0.1:80' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.ca).toContain('Choose the workshop CA');
    expect(result.errors.listen).toContain('loopback only');
    expect(result.errors.connectListen).toContain('below 1024');
  });

  it('needs two ports for both modes, and lets port 0 pick free ones', () => {
    const clash = validateProxyForm(form({ mode: 'both', listen: '127.0.0.1:9000', connectListen: '127.0.0.1:9000' }));
    expect(clash.ok).toBe(false);
    if (!clash.ok) expect(clash.errors.connectListen).toContain('two ports');
    const free = validateProxyForm(form({ mode: 'both', listen: '127.0.0.1:0', connectListen: '127.0.0.1:0' }));
    expect(free.ok && free.config.listen === '127.0.0.1:0' && free.config.connectListen === '127.0.0.1:0').toBe(true);
    const connectOnly = validateProxyForm(form({ mode: 'connect' }));
    expect(connectOnly.ok && connectOnly.config.listen === undefined && connectOnly.config.connectListen === '127.0.0.1:8080').toBe(true);
  });

  it('reads the host map line by line and names the first bad line', () => {
    expect(parseHostMap('www.example.com=127.0.0.1:4433\n\n# comment\nBank32.com = 127.0.0.2:443')).toEqual({
      entries: [
        { host: 'www.example.com', address: '127.0.0.1:4433' },
        { host: 'bank32.com', address: '127.0.0.2:443' },
      ],
      error: null,
    });
    expect(parseHostMap('www.example.com=127.0.0.1').entries).toEqual([{ host: 'www.example.com', address: '127.0.0.1' }]);
    expect(parseHostMap('www.example.com 127.0.0.1:4433').error).toContain('Line 1');
    expect(parseHostMap('a.com=127.0.0.1:1\nb.com=10.0.0.1:443').error).toMatch(/Line 2.*loopback/);
    expect(parseHostMap('a.com=127.0.0.1:1\na.com=127.0.0.1:2').error).toContain('mapped twice');
    expect(parseHostMap('a.com=127.0.0.1:70000').error).toContain('1 to 65535');
  });

  it('turns rewrite rules into the engine rules, with a bad regex explained', () => {
    const rule = { ...emptyRewrite('request'), find: 'cyber(security)', replace: 'SEED+Labs', regex: true, ignoreCase: true, headers: true };
    const result = validateProxyForm(form({ rewrite: [rule, { ...emptyRewrite(), find: 'a', replace: 'b' }] }));
    expect(result.ok && result.config.rewrite).toEqual([
      { direction: 'request', find: 'cyber(security)', replace: 'SEED+Labs', regex: true, flags: 'i', parts: ['body', 'url', 'headers'] },
      { direction: 'response', find: 'a', replace: 'b' },
    ]);
    const bad = validateProxyForm(form({ rewrite: [{ ...emptyRewrite(), find: 'cyber(', regex: true }, { ...emptyRewrite(), find: '' }] }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors['rewrite.0.find']).toContain('Not a regular expression');
    expect(bad.errors['rewrite.1.find']).toContain('Enter the text to find');
  });

  it('asks for the upstream trust store it names, and keeps the careless flag and the cap', () => {
    const missing = validateProxyForm(form({ upstreamTrust: 'lab' }));
    expect(!missing.ok && missing.errors.upstreamLab).toContain('workshop CA');
    const file = validateProxyForm(form({ upstreamTrust: 'file', upstreamPath: ' /lab/ca.pem ', upstreamInsecure: true, recordCapMb: '1.5' }));
    expect(file.ok && file.config).toMatchObject({ upstreamTrust: { kind: 'file', path: '/lab/ca.pem' }, upstreamInsecure: true, recordCapBytes: 1572864 });
    const cap = validateProxyForm(form({ recordCapMb: '-3' }));
    expect(!cap.ok && cap.errors.recordCapMb).toContain('0 or more');
  });

  it('round-trips a config through the form, and restores a saved form over the defaults', () => {
    const config = {
      label: 'Lab MITM',
      mode: 'both' as const,
      listen: '127.0.0.1:9443',
      connectListen: '127.0.0.1:9080',
      ca: 'Lab MITM CA',
      map: [{ host: 'www.example.com', address: '127.0.0.1:4433' }],
      upstreamTrust: { kind: 'lab' as const, name: 'Upstream CA' },
      upstreamInsecure: true,
      rewrite: [{ direction: 'response' as const, find: 'x+', replace: 'y', regex: true, flags: 'i', parts: ['body' as const, 'headers' as const] }],
      recordCapBytes: 2 * 1048576,
    };
    const back = validateProxyForm(proxyFormFromConfig(config));
    expect(back).toEqual({ ok: true, config });
    expect(restoreProxyForm({ ca: 'X', rewrite: [{ find: 'a' } as never] }).rewrite[0]).toEqual({ ...emptyRewrite(), find: 'a' });
    expect(restoreProxyForm(null)).toEqual(defaultProxyForm());
  });

  it('labels a rule the way the card lists it', () => {
    expect(ruleLabel({ direction: 'request', find: 'cybersecurity', replace: 'SEED+Labs' })).toBe('request: "cybersecurity" → "SEED+Labs"');
    expect(ruleLabel({ direction: 'response', find: 'a.c', replace: '', regex: true, flags: 'i', parts: ['headers'] })).toBe('response: /a.c/i → "" (headers)');
  });
});
