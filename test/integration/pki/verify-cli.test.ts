// `tlslab cert verify` and the workbench's own TLS client give the same answer for a trusted
// intermediate without its root: both refuse it, unless --partial-chain asks for OpenSSL's
// -partial_chain in the certificate check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess, tlslabOk } from '../../support/cliInProcess';
import { startOpensslServer, type RunningPeer } from '../../support/opensslServer';
import { openssl } from './openssl';

let dataDir: string;
let work: string;
let server: RunningPeer;

const tlslab = (args: string[]): Promise<CliRun> => tlslabInProcess(dataDir, args);
const file = (name: string): string => path.join(work, name);

const ok = (args: string[]): Promise<string> => tlslabOk(dataDir, args);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-verify-cli-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-verify-cli-files-'));
  await ok(['ca', 'create', 'Partial Root', '--subject', '/O=Lab/CN=Partial Root CA', '--key', 'ec:P-256']);
  await ok(['ca', 'create', 'Partial Issuing', '--subject', '/O=Lab/CN=Partial Issuing CA', '--parent', 'Partial Root', '--key', 'ec:P-256']);
  await ok(['ca', 'export', 'Partial Issuing', '--out', file('issuing.pem')]);
  await ok(['cert', 'issue', '--ca', 'Partial Issuing', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com', '--out-cert', file('leaf.pem'), '--out-key', file('leaf.key'), '--chain-out', file('chain.pem')]);
  server = await startOpensslServer(file('leaf.pem'), file('leaf.key'), ['-www', '-cert_chain', file('chain.pem')]);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a trusted intermediate without its root', () => {
  it('the TLS client refuses it, as openssl verify does', async () => {
    const client = await tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', file('issuing.pem')]);
    expect(client.status).toBe(1);
    expect(client.stderr).toContain('not verified');
    expect(client.stdout).toContain('the issuer "O=Lab, CN=Partial Root CA" could not be found in the trust store');
    const theirs = openssl(['verify', '-CAfile', file('issuing.pem'), file('leaf.pem')]);
    expect(theirs.stdout + theirs.stderr).toContain('unable to get issuer certificate');
  });

  it('tlslab cert verify refuses it too, and says to add the root or use --partial-chain', async () => {
    // The same certificates the server sent the client: the leaf, then its chain up to the root.
    const run = await tlslab(['cert', 'verify', file('leaf.pem'), '--trust', file('issuing.pem'), '--chain', file('chain.pem'), '--host', 'www.bank32.com']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('"O=Lab, CN=Partial Issuing CA", which is in the trust list but is not self-signed');
    expect(run.stderr).toContain('Add the root CA "O=Lab, CN=Partial Root CA" to the trust store');
    expect(run.stderr).toContain('--partial-chain');
  });

  it('with the root in the trust store (lab:NAME brings it along) both verify', async () => {
    expect(await ok(['cert', 'verify', file('leaf.pem'), '--trust', 'lab:Partial Issuing', '--host', 'www.bank32.com'])).toContain('Partial Root CA');
    await ok(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', 'lab:Partial Issuing']);
  });

  it('--partial-chain is offered, and its help says the TLS client does not do it', async () => {
    const help = await tlslab(['cert', 'verify', '--help']);
    const text = (help.stdout + help.stderr).replace(/\s+/g, ' ');
    expect(text).toContain('--partial-chain');
    expect(text).toContain('openssl verify -partial_chain');
    expect(text).toMatch(/TLS clients, the workbench's own included, do not/);
  });

  it('tlslab cert verify --partial-chain accepts it, as openssl verify -partial_chain does', async () => {
    const run = await tlslab(['cert', 'verify', file('leaf.pem'), '--trust', file('issuing.pem'), '--host', 'www.bank32.com', '--partial-chain', '--json']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    expect(result.chain.map((entry: { subject: string }) => entry.subject)).toEqual(['CN=www.bank32.com', 'O=Lab, CN=Partial Issuing CA']);
    expect(openssl(['verify', '-partial_chain', '-CAfile', file('issuing.pem'), file('leaf.pem')]).stdout).toContain(': OK');
  });
});
