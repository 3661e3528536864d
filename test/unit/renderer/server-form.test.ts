import { describe, expect, it } from 'vitest';
import type { PkiCaNode, PkiCertificateSummary, PkiTree } from '../../../src-main/api/pkiTypes';
import {
  cipherNote,
  defaultServerForm,
  emptySni,
  identityChoices,
  clientIdentityChoices,
  portNote,
  restoreServerForm,
  serverFormFromConfig,
  starterCa,
  storableServerForm,
  validateServerForm,
  type ServerForm,
} from '../../../src-renderer/src/lib/server-form';
import { parseRoute, routeHash } from '../../../src-renderer/src/lib/route';
import { pkiCertificate } from './fixtures';

function form(overrides: Partial<ServerForm> = {}): ServerForm {
  const base = defaultServerForm();
  base.identity.labName = 'www.bank32.com';
  return { ...base, ...overrides };
}

const cert = pkiCertificate;

describe('the start-a-server form', () => {
  it('starts from the lab defaults: 127.0.0.1:4433, tickets on, a built-in page per host', () => {
    const result = validateServerForm(form());
    expect(result).toEqual({
      ok: true,
      config: { host: '127.0.0.1', port: 4433, identity: { kind: 'lab', name: 'www.bank32.com' }, responder: { kind: 'builtin' }, tickets: true },
    });
  });

  it('asks for a certificate, and for both files when files are chosen', () => {
    const noLab = validateServerForm(defaultServerForm());
    expect(noLab.ok).toBe(false);
    if (!noLab.ok) expect(noLab.errors['identity.labName']).toContain('Choose the workshop certificate');
    const files = form();
    files.identity = { ...files.identity, kind: 'files' };
    const result = validateServerForm(files);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['identity.certPath', 'identity.keyPath']);
  });

  it('sends files, chain and passphrase as given, and leaves an empty chain out', () => {
    const f = form();
    f.identity = { kind: 'files', labName: '', certPath: ' /lab/server.pem ', keyPath: '/lab/server.key', chainPath: '', keyPassphrase: 'dees' };
    const result = validateServerForm(f);
    expect(result.ok && result.config.identity).toEqual({ kind: 'files', certPath: '/lab/server.pem', keyPath: '/lab/server.key', keyPassphrase: 'dees' });
  });

  it('refuses an address that is not loopback, and a port out of range, with what to use', () => {
    const result = validateServerForm(form({ host: '0.0.0.0', port: '70000' }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.host).toContain('Use 127.0.0.1');
      expect(result.errors.port).toContain('4433');
    }
    expect(validateServerForm(form({ host: '127.0.0.2' })).ok).toBe(true);
    expect(validateServerForm(form({ host: '::1' })).ok).toBe(true);
  });

  it('warns about privileged ports before the engine refuses them, and suggests 4433', () => {
    expect(portNote('443')).toContain('below 1024');
    expect(portNote('443')).toContain('4433');
    expect(portNote('4433')).toBeNull();
    expect(portNote('0')).toBeNull();
    expect(portNote('abc')).toBeNull();
  });

  it('explains an RSA-key-exchange-only cipher list, and not an ECDHE one', () => {
    expect(cipherNote('AES128-GCM-SHA256')).toContain('no forward secrecy');
    expect(cipherNote('AES128-GCM-SHA256:AES256-SHA')).toContain('TLSv1.2');
    expect(cipherNote('ECDHE-RSA-AES128-GCM-SHA256')).toBeNull();
    expect(cipherNote('AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256')).toBeNull();
    expect(cipherNote('')).toBeNull();
  });

  it('gives each SNI name its own identity, and catches duplicates and bad names', () => {
    const f = form();
    f.sni = [
      { ...emptySni(), name: 'Mail.Bank32.com', identity: { ...emptySni().identity, labName: 'mail' }, page: 'plain' },
      { ...emptySni(), name: '*.bank32.com', identity: { ...emptySni().identity, labName: 'wild' } },
    ];
    const ok = validateServerForm(f);
    expect(ok.ok && ok.config.sni).toEqual([
      { name: 'mail.bank32.com', identity: { kind: 'lab', name: 'mail' }, page: 'plain' },
      { name: '*.bank32.com', identity: { kind: 'lab', name: 'wild' } },
    ]);
    f.sni = [
      { ...emptySni(), name: 'www.bank32.com', identity: { ...emptySni().identity, labName: 'a' } },
      { ...emptySni(), name: 'WWW.bank32.com', identity: emptySni().identity },
      { ...emptySni(), name: 'https://x/', identity: { ...emptySni().identity, labName: 'a' } },
    ];
    const bad = validateServerForm(f);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors['sni.1.name']).toContain('already listed');
      expect(bad.errors['sni.1.labName']).toBeDefined();
      expect(bad.errors['sni.2.name']).toContain('is not a host name');
    }
  });

  it('turns off / request / require into the client-certificate setting, with a CA', () => {
    expect((validateServerForm(form({ clientCert: 'off', clientCaLab: 'Lab Root' })) as { config: { clientAuth?: unknown } }).config.clientAuth).toBeUndefined();
    const request = validateServerForm(form({ clientCert: 'request', clientCaLab: 'Lab Root' }));
    expect(request.ok && request.config.clientAuth).toEqual({ ca: { kind: 'lab', name: 'Lab Root' }, require: false });
    const require = validateServerForm(form({ clientCert: 'require', clientCaKind: 'file', clientCaPath: '/lab/ca.pem' }));
    expect(require.ok && require.config.clientAuth).toEqual({ ca: { kind: 'file', path: '/lab/ca.pem' }, require: true });
    const missing = validateServerForm(form({ clientCert: 'require' }));
    expect(!missing.ok && missing.errors.clientCaLab).toContain('Choose the CA');
  });

  it('passes versions, ciphers, groups and tickets, and refuses a maximum below the minimum', () => {
    const result = validateServerForm(form({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256', groups: 'X25519:P-256', tickets: false }));
    expect(result.ok && result.config).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256', groups: 'X25519:P-256', tickets: false });
    const bad = validateServerForm(form({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256 AES256-SHA' }));
    expect(!bad.ok && bad.errors.maxVersion).toContain('TLSv1.3');
    expect(!bad.ok && bad.errors.ciphers).toContain('colons');
  });

  it('builds each responder, and asks for the path or bytes it needs', () => {
    expect((validateServerForm(form({ responder: 'echo' })) as { config: { responder: unknown } }).config.responder).toEqual({ kind: 'echo' });
    expect((validateServerForm(form({ responder: 'builtin', builtinPage: 'bank32' })) as { config: { responder: unknown } }).config.responder)
      .toEqual({ kind: 'builtin', page: 'bank32' });
    expect((validateServerForm(form({ responder: 'plain', plainGreeting: '' })) as { config: { responder: unknown } }).config.responder).toEqual({ kind: 'plain' });
    const dir = validateServerForm(form({ responder: 'dir' }));
    expect(!dir.ok && dir.errors.dirPath).toContain('folder');
    const fixed = validateServerForm(form({ responder: 'fixed', fixedResponse: '' }));
    expect(!fixed.ok && fixed.errors.fixedResponse).toContain('HTTP/1.1 200 OK');
  });

  it('never keeps a passphrase in storage, and a config comes back as the same form', () => {
    const f = form();
    f.identity = { kind: 'files', labName: '', certPath: '/a', keyPath: '/b', chainPath: '', keyPassphrase: 'secret' };
    const stored = JSON.stringify(storableServerForm(f));
    expect(stored).not.toContain('secret');
    expect(restoreServerForm(JSON.parse(stored)).identity.certPath).toBe('/a');
    expect(restoreServerForm(null)).toEqual(defaultServerForm());

    const config = { host: '127.0.0.1', port: 4434, identity: { kind: 'lab' as const, name: 'www' }, clientAuth: { ca: { kind: 'lab' as const, name: 'Root' }, require: true },
      maxVersion: 'TLSv1.2' as const, ciphers: 'AES128-GCM-SHA256', tickets: false, responder: { kind: 'dir' as const, path: '/site' } };
    const again = validateServerForm(serverFormFromConfig(config));
    expect(again.ok && again.config).toEqual(config);
  });

  it('offers workshop certificates with their key, not CAs or client certificates', () => {
    const root: PkiCaNode = {
      ...cert({ id: 1, name: 'Lab Root', kind: 'ca', isCa: true, selfSigned: true, issuerId: null }),
      children: [],
      issued: [
        cert({ id: 2, name: 'www.bank32.com' }),
        cert({ id: 3, name: 'alice', kind: 'client' }),
        cert({ id: 4, name: 'nokey.bank32.com', hasPrivateKey: false }),
      ],
    };
    const tree: PkiTree = { cas: [root], others: [cert({ id: 5, name: 'imported.example', kind: 'imported', issuerId: null })], csrs: [],
      keyProtection: { status: 'not-protected', message: '' } };
    expect(identityChoices(tree).map((c) => c.name)).toEqual(['www.bank32.com', 'imported.example']);
    expect(identityChoices(tree)[0].label).toBe('www.bank32.com (server, by Lab Root)');
    expect(identityChoices(null)).toEqual([]);
    // A client session offers the client certificates first, then the others (never a CA or a keyless one).
    expect(clientIdentityChoices(tree).map((c) => c.name)).toEqual(['alice', 'www.bank32.com', 'imported.example']);
    expect(clientIdentityChoices(tree)[0].label).toBe('alice (client, by Lab Root)');
  });
});

describe('the lab starter (one click to a CA and a www.bank32.com certificate)', () => {
  const tree = (cas: PkiCaNode[], others: PkiCertificateSummary[] = []): PkiTree =>
    ({ cas, others, csrs: [], keyProtection: { protected: false, locked: false } }) as unknown as PkiTree;
  const ca = (name: string, overrides: Partial<PkiCaNode> = {}): PkiCaNode =>
    ({ ...cert({ name, kind: 'ca' as PkiCertificateSummary['kind'], isCa: true, selfSigned: true }), children: [], issued: [], ...overrides });

  it('makes a new "Lab Root" in an empty workshop', () => {
    expect(starterCa(null)).toEqual({ name: 'Lab Root', exists: false });
    expect(starterCa(tree([]))).toEqual({ name: 'Lab Root', exists: false });
  });

  it('signs with the workshop\'s "Lab Root" when its key is there, rather than making a second CA', () => {
    expect(starterCa(tree([ca('Other CA'), ca('Lab Root')]))).toEqual({ name: 'Lab Root', exists: true });
  });

  it('picks a free name when "Lab Root" is taken by a CA without its key or by another certificate', () => {
    expect(starterCa(tree([ca('Lab Root', { hasPrivateKey: false })]))).toEqual({ name: 'Lab Root 2', exists: false });
    expect(starterCa(tree([ca('Some CA', { issued: [cert({ name: 'Lab Root' })] }), ca('Lab Root 2', { hasPrivateKey: false })])))
      .toEqual({ name: 'Lab Root 3', exists: false });
    expect(starterCa(tree([], [cert({ name: 'Lab Root' })]))).toEqual({ name: 'Lab Root 2', exists: false });
  });
});

describe('the servers route', () => {
  it('is #/servers both ways', () => {
    expect(parseRoute('#/servers')).toEqual({ name: 'servers' });
    expect(routeHash({ name: 'servers' })).toBe('#/servers');
  });
});
