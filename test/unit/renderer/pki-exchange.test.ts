import { describe, expect, it } from 'vitest';
import {
  checkLabel,
  checkRows,
  decisiveFailure,
  defaultExportForm,
  defaultVerifyForm,
  exportChoices,
  importedKeyNote,
  mergeImportResults,
  validateExportForm,
  validateVerifyForm,
} from '../../../src-renderer/src/lib/pki-exchange';

describe('export', () => {
  it('offers key formats only with the key, and a trust folder only for a CA, saying why not', () => {
    const leafWithoutKey = exportChoices({ hasPrivateKey: false, isCa: false });
    expect(leafWithoutKey.filter((c) => !c.unavailable).map((c) => c.format)).toEqual(['pem', 'der', 'chain-pem']);
    expect(leafWithoutKey.find((c) => c.format === 'p12')?.unavailable).toContain('private key');
    expect(leafWithoutKey.find((c) => c.format === 'trust-folder')?.unavailable).toContain('CA');
    expect(exportChoices({ hasPrivateKey: true, isCa: true }).every((c) => !c.unavailable)).toBe(true);
  });

  it('downloads by default and writes to a full path when asked', () => {
    expect(validateExportForm(3, defaultExportForm())).toEqual({ ok: true, request: { id: 3, format: 'pem' } });
    const toPath = { ...defaultExportForm(), destination: 'path' as const, path: 'server.pem' };
    expect(validateExportForm(3, toPath)).toMatchObject({ ok: false, errors: { path: expect.stringContaining('full path') } });
    toPath.path = '/home/student/lab/server.pem';
    expect(validateExportForm(3, toPath)).toEqual({ ok: true, request: { id: 3, format: 'pem', path: '/home/student/lab/server.pem' } });
  });

  it('needs a password for PKCS#12, takes one for a key, and a folder for a trust folder', () => {
    const p12 = { ...defaultExportForm(), format: 'p12' as const };
    expect(validateExportForm(1, p12)).toMatchObject({ ok: false, errors: { password: expect.stringContaining('needs a password') } });
    expect(validateExportForm(1, { ...p12, password: 'pw', legacy: true })).toEqual({ ok: true, request: { id: 1, format: 'p12', password: 'pw', legacy: true } });
    expect(validateExportForm(1, { ...defaultExportForm(), format: 'key-pem' })).toEqual({ ok: true, request: { id: 1, format: 'key-pem' } });
    expect(validateExportForm(1, { ...defaultExportForm(), format: 'pem', password: 'ignored' })).toEqual({ ok: true, request: { id: 1, format: 'pem' } });
    const folder = { ...defaultExportForm(), format: 'trust-folder' as const };
    expect(validateExportForm(1, folder)).toMatchObject({ ok: false, errors: { path: expect.stringContaining('folder') } });
    expect(validateExportForm(1, { ...folder, path: '/tmp/trust' })).toEqual({ ok: true, request: { id: 1, format: 'trust-folder', path: '/tmp/trust' } });
  });
});

describe('verification', () => {
  it('trusts a workbench CA by default when there is one, else the system store', () => {
    expect(defaultVerifyForm('Lab Root', 'www.bank32.com')).toMatchObject({ trustKind: 'lab', trustCa: 'Lab Root', hostname: 'www.bank32.com' });
    expect(defaultVerifyForm()).toMatchObject({ trustKind: 'system' });
    expect(validateVerifyForm({ certificateId: 2 }, defaultVerifyForm())).toEqual({
      ok: true,
      request: { certificateId: 2, trust: { kind: 'system' }, purpose: 'serverAuth' },
    });
  });

  it('asks for a partial chain only when the box is ticked (off by default, as in the TLS client)', () => {
    expect(defaultVerifyForm().partialChain).toBe(false);
    expect(validateVerifyForm({ certificateId: 2 }, defaultVerifyForm())).not.toHaveProperty('request.partialChain');
    expect(validateVerifyForm({ certificateId: 2 }, { ...defaultVerifyForm(), partialChain: true })).toMatchObject({
      ok: true,
      request: { certificateId: 2, partialChain: true },
    });
  });

  it('builds the request with trust, name, moment and the pasted intermediates', () => {
    const form = {
      ...defaultVerifyForm(),
      trustKind: 'file' as const,
      trustPath: ' /lab/ca.pem ',
      hostname: ' www.bank32.com ',
      at: '2031-02-03T04:05',
      intermediates: 'junk\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    };
    const result = validateVerifyForm({ text: 'PEM' }, form);
    expect(result).toMatchObject({
      ok: true,
      request: {
        text: 'PEM',
        trust: { kind: 'file', path: '/lab/ca.pem' },
        hostname: 'www.bank32.com',
        intermediatesPem: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
      },
    });
    if (result.ok) expect(new Date(result.request.at!).getTime()).toBe(new Date('2031-02-03T04:05').getTime());
  });

  it('explains what is missing', () => {
    const result = validateVerifyForm({ certificateId: 1 }, { ...defaultVerifyForm(), trustKind: 'dir', at: 'soon', intermediates: 'not pem' });
    expect(result).toMatchObject({ ok: false, errors: { trustPath: expect.any(String), at: expect.any(String), intermediates: expect.any(String) } });
    expect(validateVerifyForm({ certificateId: 1 }, { ...defaultVerifyForm(), trustKind: 'lab' })).toMatchObject({ ok: false, errors: { trustCa: expect.any(String) } });
  });

  it('puts forward the check the engine named as failed, else the first that failed', () => {
    const checks = [
      { name: 'chain' as const, ok: true, detail: 'ok' },
      { name: 'validity' as const, ok: false, detail: 'expired on 2020-01-01' },
      { name: 'hostname' as const, ok: false, detail: 'not for bank32.com' },
    ];
    const base = { ok: false, chain: [], checks, trustDescription: 'workbench CA "Lab Root"' };
    expect(decisiveFailure(base)?.name).toBe('validity');
    expect(decisiveFailure({ ...base, failed: checks[2] })?.name).toBe('hostname');
    expect(decisiveFailure({ ...base, ok: true, checks: [checks[0]!] })).toBeNull();
    expect(checkLabel({ name: 'ca-flag' })).toBe('CA flag');
  });
});

describe('the verifier\'s checks as a student reads them', () => {
  it('puts the failed check first, then goes certificate by certificate from the leaf up, naming the certificate of each', () => {
    const leaf = 'C=US, O=Example Inc., CN=www.example.test';
    const ca = 'C=US, O=Example Trust, CN=Example Issuing CA 1';
    const checks = [
      { name: 'critical-extension' as const, ok: true, certificateIndex: 0, subject: leaf, detail: 'a' },
      { name: 'critical-extension' as const, ok: true, certificateIndex: 1, subject: ca, detail: 'b' },
      { name: 'hostname' as const, ok: true, certificateIndex: 0, subject: leaf, detail: 'c' },
      { name: 'validity' as const, ok: true, certificateIndex: 1, subject: ca, detail: 'd' },
      { name: 'validity' as const, ok: true, certificateIndex: 0, subject: leaf, detail: 'e' },
      { name: 'chain' as const, ok: false, certificateIndex: 1, subject: ca, detail: 'f' },
    ];
    const rows = checkRows({ checks });
    expect(rows.map((r) => r.check.detail)).toEqual(['f', 'a', 'c', 'e', 'b', 'd']);
    expect(rows.map((r) => r.about)).toEqual(['Example Issuing CA 1', 'leaf', 'leaf', 'leaf', 'Example Issuing CA 1', 'Example Issuing CA 1']);
    expect(checkRows({ checks: [{ name: 'chain', ok: true, detail: 'x' }] })[0]!.about).toBeNull();
  });
});

describe('import', () => {
  it('says where a key went when it matched a certificate imported before, which the list of new items does not show', () => {
    const newWithKey = { hasPrivateKey: true } as never;
    // A PKCS#12 whose certificate was already imported without its key.
    expect(importedKeyNote({ keysMatched: 1, certificates: [], csrs: [] })).toContain('already in the workbench and is kept with it');
    expect(importedKeyNote({ keysMatched: 2, certificates: [], csrs: [] })).toContain('2 keys matched');
    // The key of a new certificate is shown beside it ("with its key"): nothing more to say.
    expect(importedKeyNote({ keysMatched: 1, certificates: [newWithKey], csrs: [] })).toBeNull();
    expect(importedKeyNote({ keysMatched: 0, certificates: [], csrs: [] })).toBeNull();
  });

  it('several files imported at once keep every certificate that was already stored, with the name it keeps', () => {
    const one = (name: string, alreadyStored: { id: number; name: string }[]) =>
      ({ description: name, certificates: [], csrs: [], keysMatched: 0, keysUnmatched: 0, duplicates: alreadyStored.map((d) => d.id), alreadyStored }) as never;
    const merged = mergeImportResults([
      { file: 'a.p12', result: one('a', [{ id: 3, name: 'Class CA' }]) },
      { file: 'b.pem', result: one('b', [{ id: 4, name: 'bank-server' }]) },
    ]);
    expect(merged.alreadyStored?.map((d) => d.name)).toEqual(['Class CA', 'bank-server']);
  });
});
