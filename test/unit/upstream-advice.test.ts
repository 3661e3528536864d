// What the proxy tells a student whose real server's certificate did not verify: the advice
// follows what was wrong, since another CA file cannot fix an expired or misnamed certificate.
import { describe, expect, it } from 'vitest';
import type { ChainVerification, HostnameVerification } from '../../src-main/api/types';
import { upstreamAdvice } from '../../src-main/sessions/proxySession';

const chain = (ok: boolean, code: string | null = null) => ({ ok, code, message: code, explanation: null }) as unknown as ChainVerification;
const name = (ok: boolean) => ({ ok, hostname: 'www.bank32.com', validNames: ['www.other.com'] }) as HostnameVerification;

describe('advice on a real server certificate that did not verify', () => {
  it('an unknown issuer: give the CA; expired: renew; the wrong name: check where the proxy sends it', () => {
    expect(upstreamAdvice(chain(false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), name(true), 'www.bank32.com')).toMatch(/^Give --upstream-ca the CA that issued/);
    expect(upstreamAdvice(chain(false, 'SELF_SIGNED_CERT_IN_CHAIN'), name(false), 'www.bank32.com')).toMatch(/^Give --upstream-ca/);
    expect(upstreamAdvice(chain(false, 'CERT_HAS_EXPIRED'), name(true), 'www.bank32.com')).toMatch(/^Its dates are the problem, not its CA: renew/);
    const misnamed = upstreamAdvice(chain(true), name(false), 'www.bank32.com');
    expect(misnamed).toContain('not for www.bank32.com: check that the proxy sends www.bank32.com to the right server');
    for (const advice of [misnamed, upstreamAdvice(chain(false, 'CERT_HAS_EXPIRED'), null, 'x')]) expect(advice).toContain('--upstream-insecure');
  });
});
