// Files the workbench writes (--out, exports), attacked by another user of the same machine who
// plants a link or a named pipe where a student is about to write: in /tmp, say.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFolder, writeFilesAtomically } from '../../src-main/workshop/files';

/** Planting a file that belongs to someone else needs root (lchown); elsewhere these cases are skipped. */
const canChown = typeof process.getuid === 'function' && process.getuid() === 0;
const OTHER_UID = 65534;

let top: string;
let shared: string;
let home: string;

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-audit-files-'));
  shared = path.join(top, 'shared-tmp');
  home = path.join(top, 'home');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, '.bashrc'), 'export PATH=/usr/bin\n');
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe.skipIf(!canChown)('writing where another user has been', () => {
  it("does not follow a link another user planted, so the student's own file is not overwritten", () => {
    const link = path.join(shared, 'server.pem');
    fs.symlinkSync(path.join(home, '.bashrc'), link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(() => writeFilesAtomically([{ path: link, data: 'CERTIFICATE', secret: false }])).toThrow(/belongs to another user.*remove the link or choose another path/);
    expect(fs.readFileSync(path.join(home, '.bashrc'), 'utf8')).toBe('export PATH=/usr/bin\n');
    expect(fs.readdirSync(home)).toEqual(['.bashrc']);
  });

  it('does not follow a planted link to a folder either', () => {
    const link = path.join(shared, 'out');
    fs.symlinkSync(home, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(() => writeFilesAtomically([{ path: path.join(link, '.bashrc'), data: 'KEY', secret: true }])).toThrow(/belongs to another user/);
    expect(fs.readFileSync(path.join(home, '.bashrc'), 'utf8')).toBe('export PATH=/usr/bin\n');
  });

  it("does not write a private key into another user's named pipe, where they would read it", async () => {
    const pipe = path.join(shared, 'server.key');
    execFileSync('mkfifo', [pipe]);
    fs.chownSync(pipe, OTHER_UID, OTHER_UID);
    // The other user reading the pipe, as an attacker would.
    const reader = spawn('cat', [pipe], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stolen = '';
    reader.stdout.on('data', (d: Buffer) => (stolen += d.toString()));
    try {
      expect(() => writeFilesAtomically([{ path: pipe, data: '-----BEGIN PRIVATE KEY-----', secret: true }])).toThrow(/belongs to another user/);
    } finally {
      reader.kill();
      await new Promise((r) => reader.once('close', r));
    }
    expect(stolen).toBe('');
  });

  it('still follows links that belong to the student', () => {
    const mine = path.join(shared, 'mine.pem');
    fs.symlinkSync(path.join(home, 'cert.pem'), mine);
    fs.writeFileSync(path.join(home, 'cert.pem'), 'old');
    writeFilesAtomically([{ path: mine, data: 'new', secret: false }]);
    expect(fs.readFileSync(path.join(home, 'cert.pem'), 'utf8')).toBe('new');
    expect(fs.lstatSync(mine).isSymbolicLink()).toBe(true);
  });
});

describe('the trust folder', () => {
  it('is refused where every user may write, since anyone could add a CA the clients would then trust', () => {
    const open = path.join(top, 'open-trust');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    expect(() => ensureFolder(open)).toThrow(/every user may write to it.*choose a folder of your own/);
    expect(() => ensureFolder(shared)).toThrow(/every user may write to it/);
    const own = path.join(top, 'own-trust', 'nested');
    ensureFolder(own);
    expect(fs.statSync(own).isDirectory()).toBe(true);
  });

  it.skipIf(!canChown)("is refused when it belongs to another user", () => {
    const theirs = path.join(top, 'their-trust');
    fs.mkdirSync(theirs, { mode: 0o755 });
    fs.chownSync(theirs, OTHER_UID, OTHER_UID);
    expect(() => ensureFolder(theirs)).toThrow(/belongs to another user \(uid 65534\)/);
    const link = path.join(shared, 'trust');
    fs.symlinkSync(path.join(top, 'own-trust'), link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(() => ensureFolder(link)).toThrow(/is a link that belongs to another user/);
    // Nothing is made where the link points.
    expect(() => ensureFolder(path.join(link, 'made-through-link'))).toThrow(/is a link that belongs to another user/);
    expect(fs.existsSync(path.join(top, 'own-trust', 'made-through-link'))).toBe(false);
  });
});
