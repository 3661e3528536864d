// The hostname verdict a client session shows: Node's own check, with the names the certificate
// holds and, when a wildcard nearly matched, why it did not.
import type tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src-main/api/types';
import { chainVerification, hostnameVerification, verificationResult } from '../../src-main/sessions/verification';

const leaf = { subjectAltNames: ['DNS:*.bank32.com'], subjectAttributes: [{ type: 'CN', value: 'www.bank32.com' }] } as unknown as CertificateInfo;
const peer = { subject: { CN: 'www.bank32.com' }, subjectaltname: 'DNS:*.bank32.com' } as unknown as tls.PeerCertificate;
const trusted = { ok: true, code: null, message: null, explanation: null } as unknown as Parameters<typeof verificationResult>[2];

describe('hostname verdict of a client session', () => {
  it('a wildcard covers one label: the near misses say so, the match and an unrelated name do not', () => {
    expect(hostnameVerification('www.bank32.com', leaf, peer)?.ok).toBe(true);
    const bare = hostnameVerification('bank32.com', leaf, peer);
    expect(bare?.ok).toBe(false);
    expect(bare?.message).toBe(
      'hostname mismatch: you asked for bank32.com, but the certificate is valid only for *.bank32.com. ' +
        'A wildcard stands for exactly one label: *.bank32.com covers www.bank32.com but not bank32.com itself, which needs its own name in the certificate.',
    );
    const deep = hostnameVerification('a.b.bank32.com', leaf, peer);
    expect(deep?.message).toContain('*.bank32.com covers b.bank32.com but not a.b.bank32.com, which has 2 labels before bank32.com');
    expect(verificationResult(true, true, trusted, deep).summary).toContain('(A wildcard stands for exactly one label');
    expect(hostnameVerification('www.example.com', leaf, peer)?.message).toBe(
      'hostname mismatch: you asked for www.example.com, but the certificate is valid only for *.bank32.com',
    );
  });
});

describe('chain verdict of a client session', () => {
  it("says OpenSSL's sentence for a verify error where Node hands over only its code, as Python and curl print it", () => {
    const chain = [{ subject: 'CN=www.bank32.com', issuer: 'CN=Model Root CA' }] as unknown as CertificateInfo[];
    expect(chainVerification(false, 'SELF_SIGNED_CERT_IN_CHAIN', chain)).toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' });
    expect(chainVerification(false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', chain).message).toBe('unable to get local issuer certificate');
    expect(chainVerification(false, Object.assign(new Error('some other words'), { code: 'X' }), chain).message).toBe('some other words');
  });
});
