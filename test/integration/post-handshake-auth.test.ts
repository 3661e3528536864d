// TLS 1.3 post-handshake client authentication (RFC 8446, 4.6.2) between real OpenSSL peers (Node's
// client has none): after the handshake, s_server asks for a certificate ("c"), and s_client, run
// with -enable_pha, answers with Certificate, CertificateVerify and Finished under its application
// keys. Recorded by a relay; every record must open and every Finished check must match.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { recordingRelay } from '../support/recordingRelay';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let dir: string;
let server: RunningPeer;
let client: ChildProcess | undefined;

beforeAll(async () => {
  pki = await makeServerPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-pha-'));
  server = await startOpensslServer(pki.rsa.cert, pki.rsa.key, ['-verify', '1', '-CAfile', pki.clientCaCert]);
});
afterAll(async () => {
  client?.kill();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until(done: () => boolean, what: string): Promise<void> {
  await waitUntil(what, done);
}

describe('TLS 1.3 post-handshake authentication', () => {
  it('the client certificate sent after the handshake opens, and its Finished checks against the application secret', async () => {
    const relay = await recordingRelay(server.port);
    const keylog = path.join(dir, 'keys.txt');
    client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${relay.port}`, '-enable_pha', '-cert', pki.client.cert, '-key', pki.client.key, '-keylogfile', keylog, '-ign_eof', '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
    // -verify 1 has the server ask during the handshake too; "c" asks again after it.
    const certificates = () => server.output().split('depth=0 ').length - 1;
    await until(() => certificates() === 1, 'the certificate of the handshake');
    server.process.stdin?.write('c\n');
    await until(() => certificates() === 2, 'the certificate after the handshake');
    client.kill();
    relay.close();

    const result = decryptConnection({ chunks: relay.chunks, keylog: fs.readFileSync(keylog, 'utf8').split('\n') });
    expect(result.decrypted).toBe(result.total);
    const names = (direction: string) => result.records.filter((r) => r.direction === direction && r.keyEpoch === 'application').flatMap((r) => r.messages);
    expect(names('server-to-client')).toContain('CertificateRequest');
    expect(names('client-to-server').slice(0, 3)).toEqual(['Certificate', 'CertificateVerify', 'Finished']);
    const checks = result.keys.steps.filter((s) => s.title.includes('Finished check'));
    expect(checks.map((s) => s.title.split(':')[0])).toEqual(['server Finished check', 'client Finished check', 'client Finished check (post-handshake authentication)']);
    expect(checks.every((s) => s.note === 'they match: these keys are the ones the peers used')).toBe(true);
  });
});
