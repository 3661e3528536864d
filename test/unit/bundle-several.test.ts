// A teacher's hand-out in one file: several sessions in a format 3 bundle come back whole (every
// connection's bytes, key log, certificates, names and tags, in order); one session is still
// written in the single-session format older workbenches read; a damaged hand-out is refused with
// one line saying why, and a bundle newer than this workbench says which formats it reads.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_MAGIC, BundleError, readBundle, readBundles, writeBundle, writeBundles } from '../../src-main/export/bundle';
import type { RecordedSession } from '../../src-main/export/recordedSession';

const WRITER = { application: 'TLS Lab Workbench', version: '9.9.9-test' };
let der: Uint8Array;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bundle3-'));
  try {
    const cert = path.join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=handout.test',
      '-days', '30', '-keyout', path.join(dir, 'k.pem'), '-out', cert], { stdio: 'ignore' });
    der = new Uint8Array(new X509Certificate(fs.readFileSync(cert)).raw);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Session n: `connections` connections, each with bytes both ways that say whose they are. */
function session(n: number, connections: number): RecordedSession {
  const startedAt = 1_800_000_000_000 + n * 1000;
  return {
    kind: 'client',
    status: n === 2 ? 'failed' : 'ok',
    startedAt,
    endedAt: startedAt + 50,
    target: `host${n}.test:443`,
    address: '127.0.0.1:443',
    sni: `host${n}.test`,
    version: 'TLSv1.3',
    cipher: { openssl: 'TLS_AES_128_GCM_SHA256', iana: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' },
    alpn: null,
    verification: null,
    error: n === 2 ? { code: 'HANDSHAKE_FAILED', message: 'made up' } : null,
    request: null,
    response: null,
    name: `Lesson ${n}`,
    tags: [`lesson-${n}`, 'handout'],
    connections: Array.from({ length: connections }, (_, c) => ({
      leg: 'client' as const,
      local: `127.0.0.1:${40000 + c}`,
      remote: '127.0.0.1:443',
      openedAt: startedAt + c,
      closedAt: startedAt + c + 10,
      bytesClientToServer: 6,
      bytesServerToClient: 6,
      recordedClientToServer: 6,
      recordedServerToClient: 6,
      chunks: [
        { direction: 'client-to-server' as const, t: c + 0.25, data: new TextEncoder().encode(`c${n}-${c}>`) },
        { direction: 'server-to-client' as const, t: c + 0.5, data: new TextEncoder().encode(`s${n}-${c}<`) },
      ],
      events: [{ t: c, kind: 'note', data: { session: n, connection: c } }],
      keylog: [{ t: c + 0.4, line: `CLIENT_TRAFFIC_SECRET_0 ${String(n).repeat(64).slice(0, 64)} ${'ab'.repeat(32)}` }],
      certificates: [{ role: 'peer' as const, position: 0, der }],
    })),
  };
}

function plain(s: RecordedSession) {
  return {
    ...s,
    connections: s.connections.map((c) => ({
      ...c,
      chunks: c.chunks.map((k) => ({ ...k, data: Buffer.from(k.data).toString('hex') })),
      certificates: c.certificates.map((k) => ({ ...k, der: Buffer.from(k.der).toString('hex') })),
    })),
  };
}

const formatOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint16(BUNDLE_MAGIC.length);

/** Rewrites the bundle's checksum after a change, so that what the reader refuses is the change itself. */
function resealed(bytes: Uint8Array): Uint8Array {
  const body = bytes.subarray(0, bytes.length - 32);
  const out = new Uint8Array(bytes.length);
  out.set(body);
  out.set(createHash('sha256').update(body).digest(), body.length);
  return out;
}

function refusal(bytes: Uint8Array): BundleError {
  try {
    readBundles(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error('the bundle was read');
}

describe('a bundle of several sessions (format 3)', () => {
  it('three sessions come back in order: every chunk, key log line, certificate, event, name and tag', () => {
    const sessions = [session(1, 2), session(2, 1), session(3, 3)];
    const bytes = writeBundles(sessions, WRITER, new Date('2026-11-01T10:00:00Z'));
    expect(formatOf(bytes)).toBe(3);
    const back = readBundles(bytes);
    expect(back.sessions.map(plain)).toEqual(sessions.map(plain));
    expect(back.sessions.map((s) => s.name)).toEqual(['Lesson 1', 'Lesson 2', 'Lesson 3']);
    expect(back.sessions[2].connections[1].chunks.map((c) => new TextDecoder().decode(c.data))).toEqual(['c3-1>', 's3-1<']);
    expect(back.origin).toEqual({ madeBy: 'TLS Lab Workbench 9.9.9-test', madeAt: Date.parse('2026-11-01T10:00:00Z') });
  });

  it('one session is still written in the single-session format (1), which older workbenches read', () => {
    const one = writeBundles([session(1, 2)], WRITER);
    expect(formatOf(one)).toBe(1);
    expect(Buffer.from(one)).toEqual(Buffer.from(writeBundle(session(1, 2), WRITER, new Date(JSON.parse(manifestText(one)).createdAt))));
    expect(plain(readBundle(one))).toEqual(plain(session(1, 2)));
    expect(readBundles(one).sessions).toHaveLength(1);
  });

  it('a truncated or damaged hand-out is refused with the reason, none of its sessions read', () => {
    const bytes = writeBundles([session(1, 2), session(2, 1), session(3, 1)], WRITER);
    const cut = refusal(bytes.subarray(0, bytes.length - 40));
    expect(cut.code).toBe('BUNDLE_DAMAGED');
    expect(cut.message).toMatch(/^the session bundle is damaged or incomplete \(its SHA-256 checksum does not match; \d+ bytes\); copy the file again/);

    // A chunk pointing at a session the manifest does not have, checksum made right again.
    const stray = new Uint8Array(bytes);
    const manifestEnd = BUNDLE_MAGIC.length + 6 + new DataView(bytes.buffer).getUint32(BUNDLE_MAGIC.length + 2);
    new DataView(stray.buffer).setUint32(manifestEnd, 7);
    expect(refusal(resealed(stray)).message).toContain('(chunk 1 of 8 does not fit)');
  });

  it('a bundle of format 4 says this workbench reads formats up to 3', () => {
    const bytes = new Uint8Array(writeBundles([session(1, 1), session(2, 1)], WRITER));
    new DataView(bytes.buffer).setUint16(BUNDLE_MAGIC.length, 4);
    const error = refusal(bytes);
    expect(error.code).toBe('BUNDLE_TOO_NEW');
    expect(error.message).toBe(
      'this session bundle has format 4, written by TLS Lab Workbench 9.9.9-test; this workbench reads bundle formats up to 3: update the workbench to import it',
    );
  });
});

function manifestText(bytes: Uint8Array): string {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(BUNDLE_MAGIC.length + 2);
  return new TextDecoder().decode(bytes.subarray(BUNDLE_MAGIC.length + 6, BUNDLE_MAGIC.length + 6 + length));
}
