import { describe, expect, it } from 'vitest';
import { certificatePem, createRootCa } from '../../../src-main/pki/certificates.js';
import { subjectHash } from '../../../src-main/pki/subjectHash.js';
import { planTrustFolder } from '../../../src-main/pki/trustFolder.js';

describe('planTrustFolder', () => {
  it('names that differ only in case and spacing share a hash, so they become HASH.0 and HASH.1', async () => {
    const a = await createRootCa({ subject: '/O=Lab/CN=Same Name', key: 'ed25519' });
    const b = await createRootCa({ subject: '/O=LAB/CN=  same   NAME', key: 'ed25519' });
    const other = await createRootCa({ subject: '/CN=Other', key: 'ed25519' });
    const hash = subjectHash(a.certificate);
    expect(subjectHash(b.certificate)).toBe(hash);
    const plan = planTrustFolder([a.certificate, other.certificate, b.certificate, a.certificate]);
    expect(plan).toEqual([
      { fileName: `${hash}.0`, pem: certificatePem(a.certificate), subject: 'O=Lab, CN=Same Name' },
      { fileName: `${subjectHash(other.certificate)}.0`, pem: certificatePem(other.certificate), subject: 'CN=Other' },
      { fileName: `${hash}.1`, pem: certificatePem(b.certificate), subject: 'O=LAB, CN=  same   NAME' },
    ]);
  });

  it('an empty list plans an empty folder', () => {
    expect(planTrustFolder([])).toEqual([]);
  });
});
