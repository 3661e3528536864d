// Forging a leaf for a new hostname, as the proxy will: the workshop's forgeForHost (one reused
// RSA 2048 leaf key, RSA 2048 CA) against one `openssl req -x509 -new -key K -CA ...` per
// certificate, and against mitmproxy's own CertStore.get_cert when the Debian package is there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench } from '../src-main/workbench';
import { median } from './stats';

const FORGES = 300;
const OPENSSL_RUNS = 40;
const MITM_PYTHON = '/usr/bin/python3';

async function workshopMedian(dir: string): Promise<{ median: number; caPem: string; caKeyPem: string }> {
  const wb = new Workbench({ dataDir: path.join(dir, 'data') });
  try {
    await wb.workshop.createCa({ name: 'Bench CA', subject: '/O=Bench/CN=Bench CA', key: 'rsa:2048' });
    await wb.workshop.forgeForHost('Bench CA', 'warm-up.bench.test'); // makes the reused leaf key
    const times: number[] = [];
    for (let i = 0; i < FORGES; i++) {
      const start = performance.now();
      await wb.workshop.forgeForHost('Bench CA', `host${i}.bench.test`);
      times.push(performance.now() - start);
    }
    const identity = await wb.workshop.serverIdentity('Bench CA');
    return { median: median(times), caPem: identity.certificatePem, caKeyPem: identity.keyPem };
  } finally {
    await wb.close();
  }
}

function opensslMedian(dir: string, caPem: string, caKeyPem: string): number {
  const ca = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  const leafKey = path.join(dir, 'leaf.key');
  fs.writeFileSync(ca, caPem);
  fs.writeFileSync(caKey, caKeyPem, { mode: 0o600 });
  spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', leafKey]);
  const times: number[] = [];
  for (let i = 0; i < OPENSSL_RUNS; i++) {
    const start = performance.now();
    const run = spawnSync('openssl', [
      'req', '-x509', '-new', '-key', leafKey, '-CA', ca, '-CAkey', caKey, '-subj', `/CN=host${i}.bench.test`,
      '-addext', `subjectAltName=DNS:host${i}.bench.test`, '-days', '365', '-out', path.join(dir, 'leaf.pem'),
    ], { env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
    times.push(performance.now() - start);
    if (run.status !== 0) throw new Error(`openssl req failed: ${run.stderr}`);
  }
  return median(times);
}

function mitmproxyMedian(dir: string): number | string {
  if (!fs.existsSync(MITM_PYTHON)) return 'python3 not found';
  const script = `
import statistics, sys, time
from mitmproxy import certs
store = certs.CertStore.from_store(sys.argv[1], "mitmproxy", 2048)
store.get_cert("warm-up.bench.test", [])
times = []
for i in range(${FORGES}):
    host = f"host{i}.bench.test"
    start = time.perf_counter()
    store.get_cert(host, [host])
    times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
`;
  const run = spawnSync(MITM_PYTHON, ['-c', script, path.join(dir, 'mitm')], { encoding: 'utf8' });
  if (run.status !== 0) return `mitmproxy not usable: ${run.stderr.trim().split('\n').at(-1)}`;
  return Number(run.stdout.trim());
}

export async function benchForge(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-forge-'));
  const workshop = await workshopMedian(dir);
  const openssl = opensslMedian(dir, workshop.caPem, workshop.caKeyPem);
  const mitm = mitmproxyMedian(dir);
  console.log(`forge a leaf for a new hostname (RSA 2048 CA, reused RSA 2048 leaf key), median of ${FORGES}:`);
  console.log(`  workshop forgeForHost:                 ${workshop.median.toFixed(2)} ms (target < 5 ms)`);
  console.log(`  openssl req -x509 -new -key K -CA ...: ${openssl.toFixed(2)} ms per certificate (process included, median of ${OPENSSL_RUNS}), ${(openssl / workshop.median).toFixed(1)}x`);
  if (typeof mitm === 'number') console.log(`  mitmproxy CertStore.get_cert:          ${mitm.toFixed(2)} ms, ${(mitm / workshop.median).toFixed(1)}x`);
  else console.log(`  mitmproxy: ${mitm}`);
}
