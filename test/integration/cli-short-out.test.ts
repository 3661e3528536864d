// -o, the short form of --out, on the commands that write a file: it writes the file, --help
// shows it, and a missing one is named as --help lists it.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { classroom } from '../support/classroom';

const room = classroom('tlslab-short-out-');
const { ok, record } = room;
let tmp: string;
let teacher: string;
beforeAll(() => ({ tmp, teacher } = room));

describe('-o, the short form of --out', () => {
  it('sessions export, ca export, cert export and csr create write their file with -o, and --help shows it', async () => {
    const id = await record(teacher, '/short');
    const pcap = path.join(tmp, 'short.pcapng');
    await ok(teacher, ['sessions', 'export', String(id), '--format', 'pcapng', '-o', pcap]);
    expect(fs.readFileSync(pcap).readUInt32BE(0)).toBe(0x0a0d0d0a);

    await ok(teacher, ['ca', 'create', 'Short Root', '--key', 'ec:P-256']);
    const caPem = path.join(tmp, 'short-ca.pem');
    await ok(teacher, ['ca', 'export', 'Short Root', '-o', caPem]);
    expect(fs.readFileSync(caPem, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    await ok(teacher, ['cert', 'issue', '--ca', 'Short Root', '--cn', 'short.test', '--key', 'ec:P-256']);
    const certPem = path.join(tmp, 'short-cert.pem');
    await ok(teacher, ['cert', 'export', 'short.test', '-o', certPem]);
    expect(fs.readFileSync(certPem, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const csr = path.join(tmp, 'short.csr');
    await ok(teacher, ['csr', 'create', '--cn', 'short.test', '--key', 'ec:P-256', '-o', csr, '--out-key', path.join(tmp, 'short.key')]);
    expect(fs.readFileSync(csr, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);

    for (const [command, flag] of [[['sessions', 'export'], '-o, --out <file>'], [['ca', 'export'], '-o, --out <file>'], [['cert', 'export'], '-o, --out <file>'], [['csr', 'sign'], '-o, --out <file>'], [['csr', 'create'], '-o, --out-csr <file>']] as const) {
      expect(await ok(teacher, [...command, '--help'])).toContain(flag);
    }
  });

  it('without either, the error names --out as --help lists it', async () => {
    const run = await tlslabInProcess(teacher, ['sessions', 'export', '1', '--format', 'pcapng']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('tlslab: --out <file> is required; see "tlslab sessions export --help"');
    const empty = await tlslabInProcess(teacher, ['ca', 'export', 'Short Root', '-o']);
    expect(empty.stderr.trim()).toBe('tlslab: --out needs a value: --out <file>; see "tlslab ca export --help"');
  });
});
