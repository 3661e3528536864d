import type { ClientSessionRequest } from '../../../src-renderer/src/api/contract';
import { describe, expect, it } from 'vitest';
import {
  clientFormFor,
  clientFormFromRequest,
  clientFormTrusting,
  defaultClientForm,
  offerWorkshopTrust,
  storableClientForm,
  validateClientForm,
  versionChoices,
  type ClientForm,
} from '../../../src-renderer/src/lib/client-form';
import { validateHostEntry } from '../../../src-renderer/src/lib/hosts';

function form(overrides: Partial<ClientForm>): ClientForm {
  return { ...defaultClientForm(), ...overrides };
}

describe('the new client session form', () => {
  it('starts on port 443, system trust, both checks on, HTTP GET /', () => {
    expect(defaultClientForm()).toMatchObject({ port: '443', trustKind: 'system', verifyPeer: true, checkHostname: true, sendKind: 'http-get', httpPath: '/' });
  });

  it('turns the lab setup into a ClientSessionRequest', () => {
    const result = validateClientForm(
      form({ host: ' www.bank32.com ', port: '4433', connectTo: '127.0.0.1', trustKind: 'file', trustPath: '/tmp/ca.pem', alpn: 'h2, http/1.1,' }),
    );
    expect(result).toEqual({
      ok: true,
      request: {
        host: 'www.bank32.com',
        port: 4433,
        connectTo: '127.0.0.1',
        trust: { kind: 'file', path: '/tmp/ca.pem' },
        verifyPeer: true,
        checkHostname: true,
        alpn: ['h2', 'http/1.1'],
        send: { kind: 'http-get', path: '/' },
      },
    });
  });

  it('sends SNI as the host unless told otherwise, and can send none', () => {
    const ok = (f: ClientForm) => {
      const r = validateClientForm(f);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.request;
    };
    expect(ok(form({ host: 'a.example' })).servername).toBeUndefined();
    expect(ok(form({ host: 'a.example', sni: 'b.example' })).servername).toBe('b.example');
    expect(ok(form({ host: 'a.example', sni: 'b.example', sendNoSni: true })).servername).toBe('');
  });

  it('explains each mistake next to its field', () => {
    const result = validateClientForm(
      form({ host: 'https://www.bank32.com/', port: '70000', connectTo: '127.0.0.1:0', trustKind: 'dir', trustPath: ' ', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2', sendKind: 'text', text: '' }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.host).toMatch(/without "https:\/\/"/);
    expect(result.errors.port).toMatch(/1 to 65535/);
    expect(result.errors.connectTo).toMatch(/1 to 65535/);
    expect(result.errors.trustPath).toMatch(/folder of hash links/);
    expect(result.errors.maxVersion).toMatch(/cannot be below/);
    expect(result.errors.text).toMatch(/Type the text/);
  });

  it('asks for a host before anything else', () => {
    const result = validateClientForm(defaultClientForm());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(['host']);
  });

  it('accepts IPv6 connect-to addresses in brackets', () => {
    expect(validateClientForm(form({ host: 'localhost', connectTo: '[::1]:4433' })).ok).toBe(true);
    expect(validateClientForm(form({ host: 'localhost', connectTo: '::1' })).ok).toBe(true);
  });

  it('fills the form back from a recorded request for "Edit and run again"', () => {
    const original = form({ host: 'www.bank32.com', port: '4433', connectTo: '127.0.0.1', trustKind: 'dir', trustPath: '/tmp/certs', checkHostname: false, sendNoSni: true, minVersion: 'TLSv1.2', ciphers: 'AES128-SHA', sendKind: 'text', text: 'HELLO\n' });
    const result = validateClientForm(original);
    if (!result.ok) throw new Error('valid form expected');
    expect(clientFormFromRequest(result.request)).toEqual(original);
  });
});

describe('a workshop CA as the trust store', () => {
  it('trusts lab:NAME, and asks for the CA when none is chosen', () => {
    const result = validateClientForm(form({ host: 'www.bank32.com', trustKind: 'lab', trustCa: 'Lab Root' }));
    expect(result.ok && result.request.trust).toEqual({ kind: 'lab', name: 'Lab Root' });
    const missing = validateClientForm(form({ host: 'www.bank32.com', trustKind: 'lab', trustCa: ' ' }));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors).toEqual({ trustCa: expect.stringMatching(/Choose the workshop CA/) });
  });

  it('keeps lab:NAME for "Edit and run again" (a CLI session with --ca lab:NAME included), not the system store', () => {
    const original = form({ host: 'www.bank32.com', port: '4433', trustKind: 'lab', trustCa: 'Lab Root' });
    const result = validateClientForm(original);
    if (!result.ok) throw new Error('valid form expected');
    expect(clientFormFromRequest(result.request)).toEqual(original);
  });
});

describe('a client certificate', () => {
  const base = { host: 'www.bank32.com', port: '4433' };

  it('is none by default, and the request then has none', () => {
    const result = validateClientForm(form(base));
    expect(result.ok && result.request.clientCertificate).toBeUndefined();
  });

  it('from the workshop becomes lab:NAME, and asks for the certificate when none is chosen', () => {
    const chosen = validateClientForm(form({ ...base, certKind: 'lab', certLab: 'alice' }));
    expect(chosen.ok && chosen.request.clientCertificate).toEqual({ kind: 'lab', name: 'alice' });
    const missing = validateClientForm(form({ ...base, certKind: 'lab' }));
    expect(!missing.ok && missing.errors.certLab).toMatch(/Choose the workshop certificate/);
  });

  it('from PEM files needs both paths; a passphrase goes with the request but is never kept with the form', () => {
    const files = form({ ...base, certKind: 'files', certPath: ' /lab/alice.crt ', keyPath: '/lab/alice.key', keyPassphrase: 'secret' });
    const result = validateClientForm(files);
    expect(result.ok && result.request.clientCertificate).toEqual({ kind: 'files', certPath: '/lab/alice.crt', keyPath: '/lab/alice.key', keyPassphrase: 'secret' });
    expect(storableClientForm(files).keyPassphrase).toBe('');
    const half = validateClientForm(form({ ...base, certKind: 'files', certPath: '/lab/alice.crt' }));
    expect(!half.ok && Object.keys(half.errors)).toEqual(['keyPath']);
  });

  it('comes back for "Edit and run again", without a passphrase', () => {
    const again = clientFormFromRequest({
      host: 'www.bank32.com', port: 4433, trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send: { kind: 'none' },
      clientCertificate: { kind: 'files', certPath: '/lab/alice.crt', keyPath: '/lab/alice.key' },
    });
    expect(again).toMatchObject({ certKind: 'files', certPath: '/lab/alice.crt', keyPath: '/lab/alice.key', keyPassphrase: '' });
    expect(clientFormFromRequest({ host: 'h', port: 1, trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send: { kind: 'none' }, clientCertificate: { kind: 'lab', name: 'alice' } }))
      .toMatchObject({ certKind: 'lab', certLab: 'alice' });
  });
});

describe('the host table form', () => {
  it('accepts a name and an IP address, lower-casing the name', () => {
    expect(validateHostEntry(' WWW.Bank32.com ', '127.0.0.1')).toEqual({ ok: true, entry: { name: 'www.bank32.com', address: '127.0.0.1' } });
  });

  it('refuses addresses that are not IP addresses', () => {
    expect(validateHostEntry('www.bank32.com', 'localhost')).toMatchObject({ ok: false, errors: { address: expect.stringMatching(/IP address/) } });
    expect(validateHostEntry('', '999.0.0.1')).toMatchObject({ ok: false, errors: { name: expect.any(String), address: expect.any(String) } });
  });
});

describe('the TLS version lists', () => {
  it('say what TLS 1.0 and 1.1 take from the engine\'s OpenSSL, as its About reports', () => {
    const off = versionChoices([{ name: 'TLS 1.0 / 1.1', available: false }, { name: 'TLS 1.3', available: true }]);
    expect(off.map((v) => v.label)).toEqual(['TLSv1 (this OpenSSL refuses it)', 'TLSv1.1 (this OpenSSL refuses it)', 'TLSv1.2', 'TLSv1.3']);
    expect(off.map((v) => v.value)).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    // Before the engine answered, or when it can speak them, the plain names.
    expect(versionChoices(null).map((v) => v.label)).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    expect(versionChoices([{ name: 'TLS 1.0 / 1.1', available: true }])[0].label).toBe('TLSv1');
    // OpenSSL 3, as the engine reports it: they need the security level lowered.
    const seclevel = versionChoices([{ name: 'TLS 1.0 / 1.1', available: true, detail: 'only with @SECLEVEL=0 in the cipher list: OpenSSL 3.0.19 refuses them at its default security level' }]);
    expect(seclevel.map((v) => v.label)).toEqual(['TLSv1 (add @SECLEVEL=0 to the cipher list)', 'TLSv1.1 (add @SECLEVEL=0 to the cipher list)', 'TLSv1.2', 'TLSv1.3']);
  });
});

describe('the client form a server or proxy card opens', () => {
  it('aims at the name, port and address given, with the checks on and the workshop CA trusted', () => {
    const form = clientFormFor({ host: 'www.bank32.com', port: 4433, connectTo: '127.0.0.1', trustCa: 'Lab Root', clientCertificate: true });
    expect(form).toMatchObject({ host: 'www.bank32.com', port: '4433', connectTo: '127.0.0.1', trustKind: 'lab', trustCa: 'Lab Root', certKind: 'lab' });
    expect(form.verifyPeer && form.checkHostname).toBe(true);
    expect(validateClientForm({ ...form, certLab: 'alice' }).ok).toBe(true);
    // The one client certificate the server would take is chosen already.
    const ready = clientFormFor({ host: 'www.bank32.com', port: 4433, connectTo: '127.0.0.1', trustCa: 'Lab Root', clientCertificate: true, clientIdentity: 'alice' });
    expect(ready).toMatchObject({ certKind: 'lab', certLab: 'alice' });
    expect(validateClientForm(ready).ok).toBe(true);
    // A certificate from files: the system store, as before.
    expect(clientFormFor({ host: 'localhost', port: 8443, connectTo: '127.0.0.1:8443', trustCa: null }).trustKind).toBe('system');
  });
});

describe('a run refused for its root, when the root is a workshop CA', () => {
  const request: ClientSessionRequest = {
    host: 'www.bank32.com', port: 4433, connectTo: '127.0.0.1', trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' },
  };

  it('offers to trust it only when the chain failed on an untrusted root the run did not trust', () => {
    expect(offerWorkshopTrust(request, { ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'Lab Root')).toBe(true);
    expect(offerWorkshopTrust(request, { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, 'Lab Root')).toBe(true);
    // Trusting a CA does not mend an expired certificate.
    expect(offerWorkshopTrust(request, { ok: false, code: 'CERT_HAS_EXPIRED' }, 'Lab Root')).toBe(false);
    expect(offerWorkshopTrust(request, { ok: true }, 'Lab Root')).toBe(false);
    expect(offerWorkshopTrust(request, { ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' }, null)).toBe(false);
    expect(offerWorkshopTrust({ ...request, trust: { kind: 'lab', name: 'Lab Root' } }, { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT' }, 'Lab Root')).toBe(false);
  });

  it('runs the same request again with that CA as the trust store', () => {
    const form = clientFormTrusting({ ...request, trust: { kind: 'file', path: '/tmp/other.pem' } }, 'Lab Root');
    expect(form).toMatchObject({ host: 'www.bank32.com', port: '4433', connectTo: '127.0.0.1', trustKind: 'lab', trustCa: 'Lab Root', trustPath: '' });
  });
});
