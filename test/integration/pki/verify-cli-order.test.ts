// cert verify lists its checks as a student reads a chain: what failed first, then the leaf's
// checks, then each CA's up to the trust anchor (they came in the verifier's own order, the
// root's validity between the leaf's signature and the intermediate's).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../../support/cliInProcess';

let tmp: string;

async function ok(args: string[]): Promise<string> {
  const result = await tlslabInProcess(tmp, args);
  if (result.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** The certificate index of each check line, in the order printed. */
function checkIndexes(out: string): number[] {
  return [...out.matchAll(/^ {2}(?:ok {2}|FAIL) [a-z-]+(?: \[(\d+)\])?:/gm)].map((m) => (m[1] === undefined ? Infinity : Number(m[1])));
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-verify-order-'));
  await ok(['ca', 'create', 'Lab Root', '--cn', 'Lab Root CA', '--key', 'ec:P-256']);
  await ok(['ca', 'create', 'Lab Issuing', '--parent', 'Lab Root', '--cn', 'Lab Issuing CA', '--key', 'ec:P-256']);
  await ok(['cert', 'issue', '--ca', 'Lab Issuing', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com,DNS:bank32.com', '--key', 'ec:P-256']);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the checks of cert verify', () => {
  it('come leaf first, then each CA up the chain', async () => {
    const out = await ok(['cert', 'verify', 'lab:www.bank32.com', '--trust', 'lab:Lab Root', '--host', 'www.bank32.com']);
    const indexes = checkIndexes(out);
    expect(indexes.length).toBeGreaterThan(10);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(out).toContain('Verified.');
  });

  it('put the one that failed first, right under "Checks:"', async () => {
    const result = await tlslabInProcess(tmp, ['cert', 'verify', 'lab:www.bank32.com', '--trust', 'lab:Lab Root', '--host', 'bank32.org']);
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[lines.indexOf('Checks:') + 1]).toMatch(/^ {2}FAIL hostname \[0\]: The certificate is valid for DNS:www\.bank32\.com, DNS:bank32\.com, not for bank32\.org/);
    const rest = checkIndexes(result.stdout).slice(1);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
  });
});
