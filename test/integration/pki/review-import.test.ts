// Importing a certificate the workbench already holds (same DER) under another name: the import
// says it is already stored and under which name, and that the name from the file (a PKCS#12
// friendlyName) or from --name was not used; the stored certificate keeps its name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess, tlslabOk } from '../../support/cliInProcess';
import { opensslOk } from './openssl';

let dataDir: string;
let work: string;

const tlslab = (args: string[]): Promise<CliRun> => tlslabInProcess(dataDir, args);
const file = (name: string): string => path.join(work, name);

const ok = (args: string[]): Promise<string> => tlslabOk(dataDir, args);

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-review-import-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-review-import-files-'));
  opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('k.pem'), '-out', file('c.pem'), '-subj', '/CN=dup.test', '-days', '30']);
  opensslOk(['pkcs12', '-export', '-in', file('c.pem'), '-inkey', file('k.pem'), '-name', 'Teacher Name', '-passout', 'pass:x', '-out', file('c.p12')]);
  fs.writeFileSync(file('pass.txt'), 'x\n');
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a certificate imported again under another name', () => {
  it('a PKCS#12 whose friendlyName differs says the certificate is already stored as the old name', async () => {
    expect(await ok(['import', file('c.pem'), '--name', 'first'])).toContain('first: CN=dup.test');
    const out = await ok(['import', file('c.p12'), '--passphrase-file', file('pass.txt')]);
    expect(out).toContain("CN=dup.test is already stored as 'first'");
    expect(out).toContain("the name 'Teacher Name' given for it was not used");
    expect(out).toMatch(/\+ the key is kept with its certificate or request in the workbench/);
    const list = await ok(['cert', 'list', '--json']);
    expect(list).toContain('"first"');
    expect(list).not.toContain('Teacher Name');
  });

  it('import --name on a stored certificate says so in the line and in --json', async () => {
    const out = await ok(['import', file('c.pem'), '--name', 'second']);
    expect(out).toContain("already stored as 'first'; it keeps that name, and the name 'second' given for it was not used");
    const json = JSON.parse(await ok(['import', file('c.pem'), '--name', 'third', '--json']));
    expect(json.certificates).toEqual([]);
    expect(json.alreadyStored).toEqual([
      expect.objectContaining({ name: 'first', subject: 'CN=dup.test', nameAsked: 'third', keyAdded: false }),
    ]);
    expect(json.alreadyStored[0].message).toContain("already stored as 'first'");
  });

  it('the same name again is just "already stored", with nothing about a name not used', async () => {
    const out = await ok(['import', file('c.pem'), '--name', 'first']);
    expect(out).toContain("CN=dup.test is already stored as 'first'");
    expect(out).not.toContain('not used');
  });
});

describe('a key given with a certificate it does not belong to', () => {
  it('says it is not that certificate\'s key, instead of telling to import the certificate with it', async () => {
    opensslOk(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('stranger.key')]);
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('own.key'), '-out', file('own.pem'), '-subj', '/CN=own.test', '-days', '30']);
    const out = await ok(['import', file('own.pem'), file('stranger.key'), '--name', 'own']);
    expect(out).toContain('it is not the private key of "own" (the public keys differ)');
    expect(out).not.toContain('import the certificate with it');
    // Alone, the key is told to come with its certificate.
    expect(await ok(['import', file('stranger.key')])).toContain('import the certificate with it (tlslab import CERT KEY)');
  });
});
