// Damaged certificates and CSRs: the inspector answers each with a PkiError a student can read,
// never with a TypeError or RangeError from deep inside the ASN.1 reader.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { createCsr } from '../../../src-main/pki/csr.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { inspect } from '../../../src-main/pki/inspect.js';

/** A small deterministic generator so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(der: Uint8Array, next: () => number): Uint8Array {
  const copy = Uint8Array.from(der);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * copy.length);
    const kind = next();
    if (kind < 0.6) copy[at] = Math.floor(next() * 256);
    else if (kind < 0.8) copy[at] ^= 1 << Math.floor(next() * 8);
    else copy[at] = [0x00, 0x80, 0xff, 0x1e, 0x1c, 0x18, 0x0c][Math.floor(next() * 7)];
  }
  return copy;
}

let samples: Uint8Array[] = [];
beforeAll(async () => {
  const ca = await createRootCa({ subject: '/C=US/O=Model CA LTD./CN=www.modelCA.com', key: 'ec:P-256' });
  const leaf = await issueCertificate(ca, { subject: { CN: 'www.bank32.com', O: 'Bank32' }, subjectAltNames: 'DNS:www.bank32.com,DNS:*.bank32.com,IP:127.0.0.1,email:a@bank32.com', key: 'rsa:2048' });
  const csr = await createCsr({ subject: { CN: 'www.bank32.com' }, subjectAltNames: 'DNS:www.bank32.com', key: 'ec:P-256' });
  samples = [ca.certificate, leaf.certificate, csr.csr];
});

describe('inspecting damaged input', () => {
  it('gives a PkiError for each of 1,500 mutated certificates and CSRs, or a result, never another error', () => {
    const next = random(20261126);
    const unexpected: string[] = [];
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const damaged = mutate(samples[i % samples.length], next);
      try {
        inspect(damaged);
      } catch (err) {
        if (err instanceof PkiError) refused++;
        else unexpected.push(`case ${i}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(50);
  });
});
