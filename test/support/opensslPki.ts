// A throwaway PKI made by the openssl command line, so the workbench is judged against
// certificates it did not make itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** CA and server files for a second, unrelated CA ("the wrong one"). */
  otherCaCert: string;
  expiredCert: string;
  expiredKey: string;
}

export function openssl(args: string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function makeCa(dir: string, name: string, subject: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', key, '-out', cert]);
  return { cert, key };
}

function issue(dir: string, name: string, ca: { cert: string; key: string }, cn: string, sans: string, extra: string[] = []): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', key, '-out', csr]);
  fs.writeFileSync(ext, `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-sha256', '-extfile', ext, '-out', cert, ...extra]);
  return { cert, key };
}

export function makeTestPki(prefix = 'tlslab-pki-'): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ca = makeCa(dir, 'ca', '/C=US/O=Model CA LTD./CN=Model Root CA');
  const other = makeCa(dir, 'other-ca', '/O=Somebody Else/CN=Other Root CA');
  const server = issue(dir, 'server', ca, 'www.bank32.com', 'DNS:www.bank32.com,DNS:bank32.com', ['-days', '365']);
  // openssl x509 -req cannot backdate; -not_before/-not_after arrived in 3.4, so make the expired
  // certificate with a CA config and `openssl ca` instead.
  const expired = issueExpired(dir, ca);
  return {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    otherCaCert: other.cert,
    expiredCert: expired.cert,
    expiredKey: expired.key,
  };
}

function issueExpired(dir: string, ca: { cert: string; key: string }): { cert: string; key: string } {
  const db = path.join(dir, 'ca-db');
  fs.mkdirSync(db, { recursive: true });
  fs.writeFileSync(path.join(db, 'index.txt'), '');
  fs.writeFileSync(path.join(db, 'serial'), '1000\n');
  const conf = path.join(dir, 'ca.cnf');
  fs.writeFileSync(conf, `[ca]\ndefault_ca=lab\n[lab]\ndir=${db}\ndatabase=${db}/index.txt\nserial=${db}/serial\nnew_certs_dir=${db}\ncertificate=${ca.cert}\nprivate_key=${ca.key}\ndefault_md=sha256\npolicy=any\ncopy_extensions=copy\nunique_subject=no\n[any]\ncommonName=supplied\n`);
  const key = path.join(dir, 'expired.key');
  const csr = path.join(dir, 'expired.csr');
  const cert = path.join(dir, 'expired.crt');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=www.bank32.com', '-addext', 'subjectAltName=DNS:www.bank32.com', '-keyout', key, '-out', csr]);
  openssl(['ca', '-batch', '-config', conf, '-in', csr, '-out', cert, '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-notext']);
  return { cert, key };
}

/** A folder of subject-hash links, as `openssl rehash` makes it. */
export function makeHashFolder(pki: TestPki): string {
  const dir = path.join(pki.dir, 'capath');
  fs.mkdirSync(dir, { recursive: true });
  const hash = openssl(['x509', '-in', pki.caCert, '-noout', '-subject_hash']).trim();
  fs.copyFileSync(pki.caCert, path.join(dir, `${hash}.0`));
  return dir;
}
