// Every extension openssl x509 -text names, the inspector names the same way and with the same
// criticality: a student who reads both sees one list, not two.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../../src-main/pki/inspect.js';
import { makeTempDir, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
let pem: string;

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Many Extensions
[ext]
basicConstraints = critical,CA:TRUE,pathlen:2
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:a.test,IP:127.0.0.1
issuerAltName = DNS:issuer.test
crlDistributionPoints = URI:http://crl.test/a.crl
authorityInfoAccess = OCSP;URI:http://ocsp.test,caIssuers;URI:http://ca.test/ca.crt
certificatePolicies = 2.23.140.1.2.1
nameConstraints = critical,permitted;DNS:.lab.test
policyConstraints = requireExplicitPolicy:1
inhibitAnyPolicy = 3
tlsfeature = status_request
nsComment = "made by the lab"
nsCertType = server
subjectKeyIdentifier = hash
`;

beforeAll(() => {
  dir = makeTempDir('tlslab-review-labels-');
  const config = dir.file('ext.cnf', CONFIG);
  const path = dir.file('ext.pem');
  opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.file('ext.key'), '-out', path, '-config', config, '-extensions', 'ext', '-days', '30']);
  pem = readFileSync(path, 'utf8');
});
afterAll(() => dir?.remove());

/** The extension headings of openssl x509 -text: "X509v3 Key Usage: critical" becomes { label: 'Key Usage', critical: true }. */
function opensslHeadings(text: string): Array<{ label: string; critical: boolean }> {
  const block = text.slice(text.indexOf('X509v3 extensions:'), text.indexOf('Signature Algorithm:', text.indexOf('X509v3 extensions:')));
  return [...block.matchAll(/^ {12}(\S[^:\n]*):( critical)?\s*$/gm)].map((m) => ({ label: m[1].replace(/^X509v3 /, ''), critical: m[2] !== undefined }));
}

describe('extension names and criticality', () => {
  it('match openssl x509 -text one for one', () => {
    const theirs = opensslHeadings(opensslOk(['x509', '-noout', '-text'], { input: pem }));
    expect(theirs.length).toBeGreaterThanOrEqual(14);
    const ours = inspect(pem).extensions.map((e) => ({ label: e.label, critical: e.critical }));
    expect(ours).toEqual(theirs);
  });
});
