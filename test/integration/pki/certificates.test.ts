import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem, createIntermediateCa, createRootCa, forgeLeafCertificate, issueCertificate } from '../../../src-main/pki/certificates.js';
import { KEY_SPEC_NAMES } from '../../../src-main/pki/keys.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir('tlslab-certs-');
});
afterAll(() => dir.remove());

describe.each(KEY_SPEC_NAMES)('with %s keys', (spec) => {
  const tag = spec.replace(':', '-');

  it('a workbench CA and server certificate pass `openssl verify -CAfile`, and x509 -text shows the SANs and usages', async () => {
    const ca = await createRootCa({ subject: '/C=US/O=Model CA LTD./CN=www.modelCA.com', key: spec });
    const leaf = await issueCertificate(ca, {
      subject: { CN: 'www.bank32.com', O: 'Bank 32' },
      subjectAltNames: 'DNS:www.bank32.com,DNS:*.bank32.com,IP:127.0.0.1,email:admin@bank32.com',
      key: spec,
    });
    const caFile = dir.file(`${tag}-ca.pem`, certificatePem(ca.certificate));
    const leafFile = dir.file(`${tag}-leaf.pem`, leaf.pem);

    expect(opensslOk(['verify', '-CAfile', caFile, leafFile]).trim()).toBe(`${leafFile}: OK`);
    expect(opensslOk(['verify', '-CAfile', caFile, '-purpose', 'sslserver', '-verify_hostname', 'login.bank32.com', leafFile]).trim()).toBe(`${leafFile}: OK`);

    const text = opensslOk(['x509', '-in', leafFile, '-noout', '-text']);
    expect(text).toContain('DNS:www.bank32.com, DNS:*.bank32.com, IP Address:127.0.0.1, email:admin@bank32.com');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    if (spec.startsWith('rsa')) expect(text).toMatch(/Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('Issuer: C = US, O = Model CA LTD., CN = www.modelCA.com');

    const caText = opensslOk(['x509', '-in', caFile, '-noout', '-text']);
    expect(caText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(caText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });

  it('a chain through an intermediate verifies with -untrusted, and fails without it', async () => {
    const ca = await createRootCa({ subject: { O: 'Lab', CN: `Lab Root ${spec}` }, key: spec, pathLength: 1 });
    const intermediate = await createIntermediateCa(ca, { subject: { O: 'Lab', CN: `Lab Issuing ${spec}` }, key: spec, pathLength: 0 });
    const client = await issueCertificate(intermediate, { subject: { CN: 'Alice' }, profile: 'client', key: spec });
    const caFile = dir.file(`${tag}-root.pem`, certificatePem(ca.certificate));
    const intermediateFile = dir.file(`${tag}-intermediate.pem`, certificatePem(intermediate.certificate));
    const clientFile = dir.file(`${tag}-client.pem`, client.pem);

    expect(opensslOk(['verify', '-CAfile', caFile, '-untrusted', intermediateFile, '-purpose', 'sslclient', clientFile]).trim()).toBe(
      `${clientFile}: OK`,
    );
    const without = openssl(['verify', '-CAfile', caFile, clientFile]);
    expect(without.status).not.toBe(0);
    expect(without.stdout + without.stderr).toContain('unable to get local issuer certificate');
    expect(opensslOk(['x509', '-in', intermediateFile, '-noout', '-text'])).toMatch(/CA:TRUE, pathlen:0/);
  });
});

describe('name constraints', () => {
  it('openssl shows them and refuses a certificate outside the permitted names', async () => {
    const ca = await createRootCa({
      subject: { CN: 'Constrained Lab CA' },
      key: 'ec:P-256',
      nameConstraints: { permitted: ['DNS:.lab.test', 'DNS:lab.test', 'IP:127.0.0.0/8'], excluded: ['DNS:secret.lab.test'] },
    });
    const caFile = dir.file('nc-ca.pem', certificatePem(ca.certificate));
    const text = opensslOk(['x509', '-in', caFile, '-noout', '-text']);
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:\.lab\.test\s+DNS:lab\.test\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+Excluded:\s+DNS:secret\.lab\.test/);

    const inside = await issueCertificate(ca, { subject: { CN: 'www.lab.test' }, subjectAltNames: 'DNS:www.lab.test,IP:127.0.0.1', key: 'ec:P-256' });
    expect(opensslOk(['verify', '-CAfile', caFile, dir.file('nc-inside.pem', inside.pem)])).toMatch(/OK/);

    const outside = await issueCertificate(ca, { subject: { CN: 'www.bank32.com' }, key: 'ec:P-256' });
    const refused = openssl(['verify', '-CAfile', caFile, dir.file('nc-outside.pem', outside.pem)]);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/permitted subtree violation/);
  });
});

describe('forged certificates', () => {
  it('a forged leaf verifies against the forging CA for the requested host', async () => {
    const ca = await createRootCa({ subject: { CN: 'mitm CA' }, key: 'rsa:2048' });
    const forged = await forgeLeafCertificate({ ca, hostname: 'www.bank32.com' });
    const caFile = dir.file('forge-ca.pem', certificatePem(ca.certificate));
    const leafFile = dir.file('forge-leaf.pem', forged.pem);
    expect(opensslOk(['verify', '-CAfile', caFile, '-purpose', 'sslserver', '-verify_hostname', 'www.bank32.com', leafFile])).toMatch(/OK/);
  });
});
