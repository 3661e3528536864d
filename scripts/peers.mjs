// The Debian programs the tests use as real peers, and how to get them.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const PEERS = [
  { command: 'openssl', pkg: 'openssl' },
  { command: 'curl', pkg: 'curl' },
  { command: 'python3', pkg: 'python3' },
  { command: 'tshark', pkg: 'tshark' },
  { command: 'chromium', pkg: 'chromium', path: '/usr/bin/chromium' },
  { command: 'certutil', pkg: 'libnss3-tools' },
  { command: 'xvfb-run', pkg: 'xvfb' },
];

function has(peer) {
  if (peer.path) return fs.existsSync(peer.path);
  return spawnSync('sh', ['-c', `command -v ${peer.command}`], { stdio: 'ignore' }).status === 0;
}

export function missingPeers() {
  return PEERS.filter((p) => !has(p));
}

/** Installs what is missing when we may (root with apt-get), else explains how. */
export function ensurePeers({ log = console.log } = {}) {
  const missing = missingPeers();
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  const command = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(`the tests need ${missing.map((p) => p.command).join(', ')}; install them with: sudo ${command}`);
  }
  log(`installing test peers: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${pkgs.join(' ')}`], { stdio: 'inherit', env });
  const still = missingPeers();
  if (still.length) throw new Error(`still missing after install: ${still.map((p) => p.command).join(', ')}; run: ${command}`);
}
