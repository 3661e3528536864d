// A workbench trust folder is accepted by OpenSSL's -CApath and by Python's
// load_verify_locations(capath=...), including the ".1" file of a hash collision; taking the
// link away makes both fail. `openssl rehash` on the same certificates gives the same names.
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, certificatePem, createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { exportPrivateKeyPem } from '../../../src-main/pki/keys.js';
import { subjectHash } from '../../../src-main/pki/subjectHash.js';
import { planTrustFolder } from '../../../src-main/pki/trustFolder.js';
import { startOpensslServer, type RunningPeer } from '../../support/opensslServer.js';
import { makeTempDir, openssl, opensslOk, python, type TempDir } from './openssl.js';

let dir: TempDir;
let labCa: CertificateAuthority;
let twinA: CertificateAuthority;
let twinB: CertificateAuthority;
let unrelated: CertificateAuthority;

beforeAll(async () => {
  dir = makeTempDir('tlslab-trustdir-');
  labCa = await createRootCa({ subject: '/O=Lab/CN=Lab Root CA', key: 'ec:P-256' });
  // Two CAs with the same subject: the same subject hash, so HASH.0 and HASH.1.
  twinA = await createRootCa({ subject: '/O=Twins/CN=Twin Root CA', key: 'ec:P-256' });
  twinB = await createRootCa({ subject: '/O=Twins/CN=Twin Root CA', key: 'ec:P-256' });
  unrelated = await createRootCa({ subject: '/CN=Unrelated CA', key: 'ec:P-256' });
});
afterAll(() => dir.remove());

function writeFolder(name: string, certificates: Uint8Array[], skip: string[] = []): string {
  const folder = join(dir.path, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  for (const entry of planTrustFolder(certificates)) {
    if (!skip.includes(entry.fileName)) writeFileSync(join(folder, entry.fileName), entry.pem);
  }
  return folder;
}

async function serve(ca: CertificateAuthority, name: string): Promise<{ peer: RunningPeer; leafFile: string }> {
  const leaf = await issueCertificate(ca, { subject: { CN: 'localhost' }, subjectAltNames: 'DNS:localhost,IP:127.0.0.1', key: 'ec:P-256' });
  const certFile = dir.file(`${name}.crt`, leaf.pem);
  const keyFile = dir.file(`${name}.key`, exportPrivateKeyPem(leaf.privateKey));
  chmodSync(keyFile, 0o600);
  const peer = await startOpensslServer(certFile, keyFile, ['-www', '-quiet']);
  return { peer, leafFile: certFile };
}

const PYTHON_CLIENT = `
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.load_verify_locations(capath=sys.argv[1])
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            print("OK", tls.version())
except ssl.SSLCertVerificationError as error:
    print("FAIL", error.verify_message)
`;

describe('planTrustFolder', () => {
  it('names files HASH.0, HASH.1 on collisions, drops duplicates, and matches `openssl rehash`', () => {
    const input = [labCa.certificate, twinA.certificate, twinB.certificate, labCa.certificate, unrelated.certificate];
    const plan = planTrustFolder(input);
    const twinHash = subjectHash(twinA.certificate);
    expect(plan.map((entry) => entry.fileName)).toEqual([
      `${subjectHash(labCa.certificate)}.0`,
      `${twinHash}.0`,
      `${twinHash}.1`,
      `${subjectHash(unrelated.certificate)}.0`,
    ]);
    expect(plan.map((entry) => entry.subject)).toEqual(['O=Lab, CN=Lab Root CA', 'O=Twins, CN=Twin Root CA', 'O=Twins, CN=Twin Root CA', 'CN=Unrelated CA']);
    expect(plan[2].pem).toBe(certificatePem(twinB.certificate));

    // openssl rehash on the same certificates as plain files makes the same link names.
    const folder = join(dir.path, 'rehash');
    mkdirSync(folder);
    input.forEach((der, i) => writeFileSync(join(folder, `cert-${i}.pem`), certificatePem(der)));
    const rehash = openssl(['rehash', folder]);
    expect(rehash.status).toBe(0);
    expect(rehash.stderr).toMatch(/skipping duplicate certificate/i);
    const links = readdirSync(folder).filter((file) => /^[0-9a-f]{8}\.\d+$/.test(file)).sort();
    expect(links).toEqual(plan.map((entry) => entry.fileName).sort());
  });

  it('openssl verify -CApath finds a CA through its link, the collision file included; without the link it fails', async () => {
    const folder = writeFolder('capath-openssl', [labCa.certificate, twinA.certificate, twinB.certificate]);
    const leafA = dir.file('leaf-a.pem', (await issueCertificate(twinA, { subject: { CN: 'a.lab.test' }, key: 'ec:P-256' })).pem);
    const leafB = dir.file('leaf-b.pem', (await issueCertificate(twinB, { subject: { CN: 'b.lab.test' }, key: 'ec:P-256' })).pem);
    expect(opensslOk(['verify', '-CApath', folder, leafA]).trim()).toBe(`${leafA}: OK`);
    expect(opensslOk(['verify', '-CApath', folder, leafB]).trim()).toBe(`${leafB}: OK`);

    const withoutOne = writeFolder('capath-openssl-missing', [labCa.certificate, twinA.certificate, twinB.certificate], [`${subjectHash(twinB.certificate)}.1`]);
    const failed = openssl(['verify', '-CApath', withoutOne, leafB]);
    expect(failed.status).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/unable to get local issuer certificate|certificate signature failure/);
  });

  it("Python's ssl verifies an openssl s_server through capath, the .1 file included, and fails without the link", async () => {
    const folder = writeFolder('capath-python', [unrelated.certificate, labCa.certificate, twinA.certificate, twinB.certificate]);
    const lab = await serve(labCa, 'lab-server');
    const twin = await serve(twinB, 'twin-server');
    try {
      expect(python(PYTHON_CLIENT, [folder, String(lab.peer.port)]).stdout.trim()).toMatch(/^OK TLSv1\.3$/);
      expect(python(PYTHON_CLIENT, [folder, String(twin.peer.port)]).stdout.trim()).toMatch(/^OK TLSv1\.3$/);

      const labHash = subjectHash(labCa.certificate);
      const noLab = writeFolder('capath-python-no-lab', [unrelated.certificate, labCa.certificate, twinA.certificate, twinB.certificate], [`${labHash}.0`]);
      expect(python(PYTHON_CLIENT, [noLab, String(lab.peer.port)]).stdout.trim()).toBe('FAIL unable to get local issuer certificate');
      const noTwinB = writeFolder('capath-python-no-twin-b', [twinA.certificate, twinB.certificate], [`${subjectHash(twinB.certificate)}.1`]);
      expect(python(PYTHON_CLIENT, [noTwinB, String(twin.peer.port)]).stdout.trim()).toMatch(/^FAIL /);
    } finally {
      await lab.peer.stop();
      await twin.peer.stop();
    }
  });
});
