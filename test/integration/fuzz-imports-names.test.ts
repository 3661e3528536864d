// Certificates whose names hold junk in every string type, imported into the workshop and then
// used as a student would: inspected, listed, verified against, pasted into the inspector. Each
// step works or fails with one readable error; none fails as INTERNAL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../src-main/errors';
import { parseDer } from '../../src-main/pki/der';
import { splitPem, toPem as pem } from '../../src-main/pki/pem';
import { Workbench } from '../../src-main/workbench';
import { importInto, verifyWith } from '../../src-main/workshop/exchange';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { rewriteDer } from '../support/fuzzBytes';

let pki: TestPki;
let wb: Workbench;

beforeAll(() => {
  pki = makeTestPki('tlslab-fuzz-names-');
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-fuzz-names-')) });
}, 60_000);

afterAll(async () => {
  await wb?.close();
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});


const JUNK: Array<[string, number, number[]]> = [
  ['a BMPString of odd length', 0x1e, [0x00, 0x41, 0x00]],
  ['a BMPString with a lone surrogate', 0x1e, [0xd8, 0x00, 0x00, 0x41]],
  ['a UniversalString not a multiple of 4', 0x1c, [0x00, 0x00, 0x00, 0x41, 0x00]],
  ['a UniversalString beyond Unicode', 0x1c, [0x7f, 0xff, 0xff, 0xff]],
  ['a UTF8String that is not UTF-8', 0x0c, [0xc3, 0x28, 0xff, 0xfe]],
  ['NUL and RIGHT-TO-LEFT OVERRIDE', 0x0c, [0x61, 0x00, 0x62, 0xe2, 0x80, 0xae, 0x63]],
  ['a PrintableString with bytes it may not hold', 0x13, [0x80, 0x00, 0x0a, 0x0d]],
  ['a T61String', 0x14, [0xff, 0xfe, 0x1b]],
  ['an empty IA5String', 0x16, []],
  ['NULL where a string belongs', 0x05, []],
  ['a SEQUENCE where a string belongs', 0x30, [0x30, 0x00]],
];

const toPem = (der: Uint8Array) => pem('CERTIFICATE', der);

function checked(step: string, run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    const info = toErrorInfo(error);
    if (info.code === 'INTERNAL') throw new Error(`${step}: an untyped failure: ${info.message}\n${(error as Error).stack}`);
    return info;
  }
}

describe('names with junk in them, through the workshop', () => {
  it.each(JUNK)('%s, in a server certificate and in a CA: every step works or says why', (_name, tag, bytes) => {
    for (const [file, common] of [[pki.serverCert, 'www.bank32.com'], [pki.caCert, 'Model Root CA']] as const) {
      const der = splitPem(fs.readFileSync(file))[0].der;
      const target = Buffer.from(common);
      const changed = rewriteDer(parseDer(der), (n) =>
        n.tagClass === 'universal' && n.tagNumber === 12 && Buffer.from(n.contents).equals(target) ? Uint8Array.of(tag, bytes.length, ...bytes) : undefined,
      );
      expect(changed.length).not.toBe(der.length);
      const result = checked('import', () => importInto(wb.workshop, { bytes: changed, fileName: 'odd-name.der' })) as { certificates?: { id: number }[] };
      for (const c of result.certificates ?? []) {
        checked('inspect', () => wb.workshop.inspect({ certificateId: c.id }));
        checked('verify stored', () => verifyWith(wb.workshop, { certificateId: c.id, trust: { kind: 'file', path: pki.caCert }, hostname: 'www.bank32.com' }));
      }
      checked('list', () => wb.workshop.list());
      checked('inspect pasted', () => wb.workshop.inspect({ text: Buffer.from(changed).toString('base64') }));
      // The odd certificate as the trust anchor, and as the certificate checked.
      const trust = path.join(pki.dir, 'odd-trust.der');
      fs.writeFileSync(trust, toPem(changed));
      checked('verify against', () => verifyWith(wb.workshop, { text: fs.readFileSync(pki.serverCert, 'utf8'), trust: { kind: 'file', path: trust }, hostname: 'www.bank32.com' }));
      checked('verify pasted', () => verifyWith(wb.workshop, { text: toPem(changed), trust: { kind: 'file', path: pki.caCert }, hostname: 'www.bank32.com' }));
    }
  });
});
