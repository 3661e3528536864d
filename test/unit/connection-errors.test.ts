// What a failed connection says to a student: OpenSSL's error text without its machinery, and the
// alerts a server ends a handshake with, read in terms of the client certificate where that is why.
import { describe, expect, it } from 'vitest';
import { describeConnectionFailure, describeProxyRefusal, peerAlertOf, plainTlsError } from '../../src-main/sessions/connectionErrors';

const alert = (name: string) => Object.assign(new Error(`alert ${name}`), { code: `ERR_SSL_TLSV13_ALERT_${name.toUpperCase()}` });
const ctx = { target: 'www.bank32.com:4433', address: '127.0.0.1:4433', handshakeDone: false };

describe('OpenSSL error text', () => {
  it('keeps the reason and the function, and drops the address, file and line', () => {
    expect(plainTlsError('80DC620C587F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116'))
      .toBe('tlsv13 alert certificate required (OpenSSL, in ssl3_read_bytes)');
    expect(plainTlsError('socket hang up')).toBe('socket hang up');
    expect(plainTlsError('first line\nsecond line')).toBe('first line');
  });

  it('an unknown failure says the connection failed, in those words', () => {
    const err = Object.assign(new Error('40C7D6F7FF7F0000:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:../ssl/record/rec_layer_s3.c:322:'), { code: 'ERR_SSL_SOMETHING_NEW' });
    expect(describeConnectionFailure(err, ctx).message).toBe('the connection failed: unexpected eof while reading (OpenSSL, in ssl3_read_n)');
  });
});

describe('an alert about the client certificate', () => {
  it('certificate_required: the server wanted one and this client had none; by default, how to give one', () => {
    const d = describeConnectionFailure(alert('certificate_required'), ctx);
    expect(d.code).toBe('CLIENT_CERTIFICATE_REQUIRED');
    expect(d.message).toContain('choose one under "Client certificate"');
  });

  it('handshake_failure is about the certificate only when the server asked for one (TLS 1.2) and the client had none', () => {
    const failure = Object.assign(new Error('x'), { code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
    expect(describeConnectionFailure(failure, { ...ctx, askedForCertificate: () => true }).code).toBe('CLIENT_CERTIFICATE_REQUIRED');
    expect(describeConnectionFailure(failure, { ...ctx, askedForCertificate: () => false }).code).toBe('PEER_ALERT');
    expect(describeConnectionFailure(failure, { ...ctx, clientCertificate: true, askedForCertificate: () => true }).code).toBe('PEER_ALERT');
  });

  it('unknown_ca with a certificate offered: the server refused it, and why', () => {
    const d = describeConnectionFailure(alert('unknown_ca'), { ...ctx, clientCertificate: true });
    expect(d).toEqual({ code: 'CLIENT_CERTIFICATE_REFUSED', message: 'the server refused this client\'s certificate with the alert "unknown_ca": it does not trust the CA that issued it; use a certificate from the CA the server trusts for clients' });
    expect(describeConnectionFailure(alert('unknown_ca'), ctx).code).toBe('PEER_ALERT');
  });

  it('the advice can be another caller\'s (the proxy)', () => {
    expect(describeConnectionFailure(alert('certificate_required'), { ...ctx, certificateAdvice: 'A proxy cannot.' }).message).toMatch(/"certificate_required"\. A proxy cannot\.$/);
  });
});

describe('a client refused by the workbench\'s own proxy', () => {
  const original = describeConnectionFailure(alert('handshake_failure'), ctx);
  const asked = { host: 'www.bank32.com', port: 4433 };

  it('keeps the alert and says the port only when the proxy went to another one than the client asked for', () => {
    expect(peerAlertOf(alert('handshake_failure'))).toBe('handshake_failure');
    const unreachable = { sessionId: 7, upstream: '127.0.0.1:4433', error: { code: 'UPSTREAM_UNREACHABLE', message: '...' }, verificationSummary: null };
    const same = describeProxyRefusal(original, 'handshake_failure', unreachable, asked);
    expect(same.code).toBe(original.code);
    expect(same.message).toBe(
      'the server ended the handshake with the alert "handshake_failure"; that server was this workbench\'s man-in-the-middle proxy, and the proxy could not reach the real server at 127.0.0.1:4433: connection refused; see the proxy\'s session 7',
    );
    expect(describeProxyRefusal(original, 'handshake_failure', { ...unreachable, upstream: '127.0.0.1:443' }, asked).message).toContain(
      'connection refused (this client asked for port 4433, which a ClientHello does not carry, so the proxy went to 443; give the proxy --map www.bank32.com=127.0.0.1:4433)',
    );
  });

  it('another refusal gives the proxy\'s own reason', () => {
    const noSni = { sessionId: 3, upstream: null, error: { code: 'NO_SNI', message: 'the victim sent no server name (SNI) in its ClientHello' }, verificationSummary: null };
    expect(describeProxyRefusal(original, null, noSni, asked).message).toBe(
      'the server closed the connection during the handshake; that server was this workbench\'s man-in-the-middle proxy, and the proxy refused this client: the victim sent no server name (SNI) in its ClientHello; see the proxy\'s session 3',
    );
  });
});
