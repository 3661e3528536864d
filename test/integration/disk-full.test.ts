// The disk under the data folder fills up during a large download. The session must not be lost:
// what was recorded before stays readable, this session keeps its handshake, and its timeline says
// the disk filled. Needs a small file system of its own: a 6 MB tmpfs, which only root with the
// right to mount may mount (skipped otherwise, saying so).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

const root = process.getuid?.() === 0;
/** Root is not enough: a container's root often lacks CAP_SYS_ADMIN. Tried once, on a folder of its own. */
function tmpfsMounts(): boolean {
  if (!root || spawnSync('mount', ['--version']).status !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-mount-probe-'));
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status !== 0) return false;
    spawnSync('umount', [probe]);
    return true;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}
const canMount = tmpfsMounts();
if (!canMount) console.log('disk-full test skipped: mounting a small tmpfs needs root with the right to mount (CAP_SYS_ADMIN)');

let pki: TestPki;
let mountPoint: string;
let server: RunningPeer;
let www: string;

beforeAll(async () => {
  if (!canMount) return;
  pki = makeTestPki('tlslab-diskfull-');
  www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-diskfull-www-'));
  fs.writeFileSync(path.join(www, 'small.txt'), 'a small page\n');
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(20 * 1024 * 1024, 0x61));
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-diskfull-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint]);
  server = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW'], { cwd: www });
});

afterAll(async () => {
  if (!canMount) return;
  await server?.stop();
  // Lazily: a workbench a failed test left open still holds files there, and the mount must not stay.
  spawnSync('umount', ['--lazy', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
  fs.rmSync(www, { recursive: true, force: true });
});

describe.runIf(canMount)('a data folder whose disk fills up', () => {
  it('keeps the earlier session and this one, whose timeline says the disk is full', async () => {
    const wb = new Workbench({ dataDir: path.join(mountPoint, 'data'), recordCapBytes: 0 });
    try {
      const before = await wb.runClient(loopbackGet('www.bank32.com', server.port, pki.caCert, { send: { kind: 'http-get', path: '/small.txt' } }));
      expect(before.status).toBe('ok');
      const big = await wb.runClient(loopbackGet('www.bank32.com', server.port, pki.caCert, { send: { kind: 'http-get', path: '/big.bin' }, timeoutMs: 60_000 }));
      await wb.writer.written();
      // The earlier session is whole.
      const again = await wb.session(before.id);
      expect(again.response?.text).toContain('a small page');
      // This one is there, with its handshake and the reason its bytes stop.
      const listed = wb.listSessions(10).map((s) => s.id);
      expect(listed).toContain(big.id);
      const detail = await wb.session(big.id);
      expect(detail.version).toBe('TLSv1.3');
      const notes = detail.connections[0].timeline.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);
      expect(notes.some((n) => n.startsWith('the disk is full'))).toBe(true);
    } finally {
      await wb.close().catch(() => undefined);
    }
  });
});
