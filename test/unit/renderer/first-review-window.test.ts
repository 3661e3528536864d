// What a first review of a student's first hour in the window found: the replay offered server
// certificates as a client's, a CA's key left without a warning, "Passphrase optional" for a
// PKCS#12 file, and sidebar lines worded one way for clients and another for servers.
import { describe, expect, it } from 'vitest';
import type { PkiCaNode, PkiCertificateSummary, PkiTree } from '../../../src-renderer/src/api/contract';
import { allowsClientAuth, replayClientCertificates } from '../../../src-renderer/src/lib/replay-view';
import { caKeyWarning, exportChoices, importPassphraseField } from '../../../src-renderer/src/lib/pki-exchange';
import { sessionNavLine } from '../../../src-renderer/src/lib/sessions';
import { pkiCertificate, summary, verification } from './fixtures';

const cert = pkiCertificate;

const tree = (issued: PkiCertificateSummary[], others: PkiCertificateSummary[] = []): PkiTree => {
  const root: PkiCaNode = { ...cert({ id: 1, name: 'Lab Root', kind: 'ca', isCa: true, selfSigned: true, issuerId: null }), children: [], issued };
  return { cas: [root], others, csrs: [], keyProtection: { status: 'not-protected', message: '' } };
};

describe("the replay's client certificate list", () => {
  it('offers client certificates with their key, never a server certificate', () => {
    const t = tree([cert({ id: 2, name: 'www.bank32.com' }), cert({ id: 3, name: 'alice', kind: 'client' }), cert({ id: 4, name: 'bob', kind: 'client', hasPrivateKey: false })]);
    const { choices, whyNone } = replayClientCertificates(t);
    expect(choices.map((c) => c.label)).toEqual(['alice (client, by Lab Root)']);
    expect(whyNone).toBeNull();
  });

  it('says why the list is empty when the workshop has only server certificates, or none', () => {
    const only = replayClientCertificates(tree([cert({ id: 2, name: 'www.bank32.com' })]));
    expect(only.choices).toEqual([]);
    expect(only.whyNone).toContain('None of the workshop\'s certificates with a key is made for client authentication (www.bank32.com');
    expect(only.whyNone).toContain('issue a client certificate under Certificates');
    expect(replayClientCertificates(tree([])).whyNone).toContain('No certificate with its key in the workshop yet');
  });

  it('leaves out a client certificate whose extended key usage lacks clientAuth', () => {
    const odd = cert({ id: 3, name: 'alice', kind: 'client', cautions: ['Its extended key usage lacks clientAuth, so no TLS server accepts it from a client'] });
    expect(replayClientCertificates(tree([odd])).choices).toEqual([]);
  });

  it('offers an imported certificate by the extended key usage its summary carries', () => {
    const serverAuth = { name: 'serverAuth', oid: '1.3.6.1.5.5.7.3.1', meaning: 'TLS server' };
    const clientAuth = { name: 'clientAuth', oid: '1.3.6.1.5.5.7.3.2', meaning: 'TLS client' };
    const alice = cert({ id: 7, name: 'handout-alice', kind: 'imported', issuerId: null, extendedKeyUsage: [clientAuth] });
    const web = cert({ id: 8, name: 'handout-web', kind: 'imported', issuerId: null, extendedKeyUsage: [serverAuth] });
    expect(replayClientCertificates(tree([], [alice, web])).choices.map((c) => c.name)).toEqual(['handout-alice']);
    // A certificate without the extension may be used for anything; a server certificate that also names clientAuth counts.
    expect(allowsClientAuth(cert({ kind: 'imported', extendedKeyUsage: null }))).toBe(true);
    expect(allowsClientAuth(cert({ kind: 'server', extendedKeyUsage: [serverAuth, clientAuth] }))).toBe(true);
    expect(allowsClientAuth(cert({ kind: 'client', extendedKeyUsage: [serverAuth] }))).toBe(false);
  });
});

describe("a CA's key in an export", () => {
  const ca = cert({ name: 'Class CA', kind: 'ca', isCa: true });
  it("warns that whoever gets the file can sign certificates every machine trusting the CA accepts", () => {
    expect(caKeyWarning('p12', ca)).toContain('whoever gets it can sign certificates for any site that every machine trusting this CA accepts');
    expect(caKeyWarning('key-pem', ca)).toContain('"Class CA"');
    expect(exportChoices(ca).find((c) => c.format === 'p12')!.hint).not.toContain('for browsers and Windows');
  });
  it('says nothing for the CA certificate alone or for a server certificate with its key', () => {
    expect(caKeyWarning('pem', ca)).toBeNull();
    expect(caKeyWarning('p12', cert({ name: 'www.bank32.com' }))).toBeNull();
  });
});

describe("the import form's passphrase field", () => {
  const file = (name: string, bytes: number[] | null, pem: string | null = null) =>
    ({ name, base64: bytes ? btoa(String.fromCharCode(...bytes)) : btoa(pem ?? ''), pem });
  it('asks for the PKCS#12 password, not an optional passphrase, when a .p12 is picked', () => {
    const field = importPassphraseField([file('class-ca.p12', [0x30, 0x82, 0x09, 0x80, 0x02, 0x01, 0x03])], '');
    expect(field).toMatchObject({ label: 'PKCS#12 password', optional: false });
    // A PKCS#12 file by its content, whatever its name.
    expect(importPassphraseField([file('download.bin', [0x30, 0x82, 0x09, 0x80, 0x02, 0x01, 0x03])], '').label).toBe('PKCS#12 password');
  });
  it('asks for the key passphrase for an encrypted key, and is optional otherwise', () => {
    expect(importPassphraseField([file('alice.key', null, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII\n')], '')).toMatchObject({ label: 'Key passphrase', optional: false });
    expect(importPassphraseField([file('ca.crt', [0x30, 0x82, 0x03, 0x00, 0x30, 0x82])], '')).toMatchObject({ label: 'Passphrase', optional: true });
    expect(importPassphraseField(null, '-----BEGIN CERTIFICATE-----\n')).toMatchObject({ label: 'Passphrase', optional: true });
  });
});

describe('the sidebar lines of recent sessions', () => {
  it('read target, then who recorded it, its outcome and its version, for a client and a server alike', () => {
    expect(sessionNavLine(summary())).toEqual({ target: 'www.bank32.com:4433', detail: 'client · verified · TLSv1.3' });
    expect(sessionNavLine(summary({ kind: 'server', target: '127.0.0.1:4433', verification: null }))).toEqual({
      target: 'www.bank32.com at 127.0.0.1:4433', detail: 'server · served · TLSv1.3',
    });
    expect(sessionNavLine(summary({ kind: 'proxy' })).detail).toMatch(/^proxy · \S.* · TLSv1\.3$/);
    expect(sessionNavLine(summary({ status: 'failed', version: null, error: { code: 'ECONNREFUSED', message: 'refused' } })).detail).toBe('client · failed · no handshake');
    expect(sessionNavLine(summary({ kind: 'server', sni: null, target: '127.0.0.1:4433', status: 'failed', version: null, error: { code: 'PEER_ALERT', message: 'x' } })))
      .toEqual({ target: 'no SNI at 127.0.0.1:4433', detail: 'server · failed · handshake failed' });
    expect(sessionNavLine(summary({ verification: verification({ checkHostname: false, hostname: undefined }) })).detail).toBe('client · not verified (checks off) · TLSv1.3');
    // A client whose ClientHello was answered with an alert did begin a handshake; so did a victim that refused the forged certificate.
    expect(sessionNavLine(summary({ status: 'failed', version: null, error: { code: 'PEER_ALERT', message: 'x' } })).detail).toBe('client · failed · handshake failed');
    expect(sessionNavLine(summary({ kind: 'proxy', status: 'failed', version: null, error: { code: 'CLIENT_REFUSED_CERTIFICATE', message: 'x' } })).detail).toMatch(/^proxy · .* · handshake failed$/);
  });
});
