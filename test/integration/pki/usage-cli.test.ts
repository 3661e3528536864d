// What a certificate is for, as a student reads it in the command line: a server-only and a
// client-only certificate made by openssl are imported, and cert list, the import's own lines,
// cert show and cert list --json each say which is for a TLS server and which for a TLS client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess } from '../../support/cliInProcess';
import { opensslOk } from './openssl';

let tmp: string;
let data: string;
let imported: string;

const file = (name: string): string => path.join(tmp, name);

async function ok(args: string[]): Promise<string> {
  const result: CliRun = await tlslabInProcess(data, args);
  if (result.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A self-signed leaf (CA:FALSE) with only this extended key usage, certificate and key in one PEM file. */
function opensslLeaf(name: string, eku: string): string {
  opensslOk([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', `/CN=${name}`,
    '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`),
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `extendedKeyUsage=${eku}`,
  ]);
  const both = file(`${name}.pem`);
  fs.writeFileSync(both, fs.readFileSync(file(`${name}.crt`), 'utf8') + fs.readFileSync(file(`${name}.key`), 'utf8'));
  return both;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-usage-'));
  data = file('data');
  const web = opensslLeaf('web.example', 'serverAuth');
  const alice = opensslLeaf('alice', 'clientAuth');
  imported = await ok(['import', web, alice]);
  await ok(['ca', 'create', 'Lab Root', '--cn', 'Lab Root CA']);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('what a certificate is for, in the command line', () => {
  it('the import says what each imported certificate is for', () => {
    expect(imported).toMatch(/web\.example: CN=web\.example \(with its key\), for TLS server \(serverAuth\)$/m);
    expect(imported).toMatch(/alice: CN=alice \(with its key\), for TLS client \(clientAuth\)$/m);
  });

  it('cert list shows each with its usage, and a CA without the extension as a CA only', async () => {
    const list = await ok(['cert', 'list']);
    expect(list).toMatch(/\] web\.example: .*\(imported, for TLS server \(serverAuth\),/);
    expect(list).toMatch(/\] alice: .*\(imported, for TLS client \(clientAuth\),/);
    expect(list).toMatch(/\] Lab Root: CN=Lab Root CA \(ca, /);
    expect(list).not.toMatch(/Lab Root.*for /);
  });

  it('cert show says what it is for right under the summary, and each purpose by name and meaning', async () => {
    const shown = (await ok(['cert', 'show', 'lab:alice'])).split('\n');
    expect(shown[1]).toBe('Used for: TLS client (clientAuth)');
    expect(shown).toContain('      clientAuth (1.3.6.1.5.5.7.3.2): TLS client');
    expect((await ok(['cert', 'show', file('web.example.crt')])).split('\n')[1]).toBe('Used for: TLS server (serverAuth)');
    expect((await ok(['cert', 'show', 'lab:Lab Root'])).split('\n')[1]).toBe('Used for: signing certificates (a CA; no extendedKeyUsage)');
  });

  it('cert issue and csr sign say what the new certificate is for, and how to copy what a request asked for', async () => {
    expect(await ok(['cert', 'issue', '--ca', 'Lab Root', '--cn', 'bob', '--client'])).toContain('\n  used for: TLS client (clientAuth)\n');
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('shop.key'), '-out', file('shop.csr'),
      '-subj', '/CN=shop.example', '-addext', 'subjectAltName=DNS:shop.example,DNS:www.shop.example']);
    const signed = await ok(['csr', 'sign', file('shop.csr'), '--ca', 'Lab Root', '--out', file('shop.crt')]);
    expect(signed).toContain('  not copied: subjectAltName (2.5.29.17)');
    expect(signed).toContain('  to copy what the request asks for: sign it again with --copy-extensions\n');
    expect(signed).toContain('  used for: TLS server (serverAuth)\n');
    const copied = await ok(['csr', 'sign', file('shop.csr'), '--ca', 'Lab Root', '--copy-extensions', '--name', 'shop copied', '--out', file('shop2.crt')]);
    expect(copied).toContain('names: DNS:shop.example, DNS:www.shop.example');
    expect(copied).not.toContain('--copy-extensions');
  });

  it('cert show says what each key usage bit and the CA flag mean, not only their names', async () => {
    const root = await ok(['cert', 'show', 'lab:Lab Root']);
    expect(root).toContain('      CA:TRUE: a CA, it may sign certificates\n');
    expect(root).toContain('      keyCertSign: signs certificates: only a CA may have it\n');
    const web = await ok(['cert', 'show', 'lab:web.example']);
    expect(web).toContain('      CA:FALSE: an end-entity (leaf) certificate, which may not sign other certificates\n');
    expect(web).toContain('      serverAuth (1.3.6.1.5.5.7.3.1): TLS server\n');
  });

  it('cert list --json carries the usage in every summary', async () => {
    const tree = JSON.parse(await ok(['cert', 'list', '--json'])) as { others: Array<{ name: string; extendedKeyUsage: unknown }>; cas: Array<{ extendedKeyUsage: unknown }> };
    const byName = Object.fromEntries(tree.others.map((c) => [c.name, c.extendedKeyUsage]));
    expect(byName['web.example']).toEqual([{ name: 'serverAuth', oid: '1.3.6.1.5.5.7.3.1', meaning: 'TLS server' }]);
    expect(byName.alice).toEqual([{ name: 'clientAuth', oid: '1.3.6.1.5.5.7.3.2', meaning: 'TLS client' }]);
    expect(tree.cas[0].extendedKeyUsage).toBeNull();
  });
});
