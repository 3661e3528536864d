import { describe, expect, it } from 'vitest';
import type { PkiCaNode, PkiCertificateSummary, PkiTree } from '../../../src-renderer/src/api/contract';
import {
  caChoices,
  certificatePath,
  countCertificates,
  findCertificate,
  flattenCaTree,
  kindLabel,
  onlyChoice,
  rootCaOf,
  signingCas,
  subjectCommonName,
  workbenchNames,
  visibleRows,
  onlyClientCertificateUnder,
  workshopCaOfChain,
} from '../../../src-renderer/src/lib/pki-tree';
import { parseRoute, routeHash } from '../../../src-renderer/src/lib/route';
import { jobProgress, mergeJob, pruneJobs, runningJobs } from '../../../src-renderer/src/lib/pki-jobs';

function cert(id: number, name: string, extra: Partial<PkiCertificateSummary> = {}): PkiCertificateSummary {
  return {
    id,
    name,
    kind: 'server',
    subject: `CN=${name}`,
    issuer: 'CN=Lab Root CA',
    issuerId: 1,
    serialNumber: '01',
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2030-01-01T00:00:00Z',
    expired: false,
    isCa: false,
    selfSigned: false,
    subjectAltNames: [`DNS:${name}`],
    keySummary: 'RSA 2048 bits',
    hasPrivateKey: true,
    fingerprintSha256: 'ab',
    createdAt: id,
    ...extra,
  };
}

function ca(id: number, name: string, children: PkiCaNode[], issued: PkiCertificateSummary[], extra: Partial<PkiCertificateSummary> = {}): PkiCaNode {
  return { ...cert(id, name, { kind: 'ca', isCa: true, subjectAltNames: [], ...extra }), children, issued };
}

const tree: PkiTree = {
  cas: [
    ca(1, 'Lab Root', [ca(3, 'Lab Issuing', [], [cert(4, 'mail.bank32.com')], { issuerId: 1 })], [cert(2, 'www.bank32.com')], { selfSigned: true, issuerId: null }),
    ca(5, 'Old Root', [], [], { selfSigned: true, issuerId: null, hasPrivateKey: false, expired: true }),
  ],
  others: [cert(6, 'imported.test', { kind: 'imported', issuerId: null }), cert(7, 'Their CA', { kind: 'imported', isCa: true, selfSigned: true, hasPrivateKey: true })],
  csrs: [],
  keyProtection: { status: 'not-protected', message: '' },
};

describe('the workshop tree on screen', () => {
  it('lists each CA, then the CAs below it, then what it issued, indented by depth', () => {
    expect(flattenCaTree(tree.cas).map((r) => [r.certificate.name, r.depth, r.issuerName])).toEqual([
      ['Lab Root', 0, null],
      ['Lab Issuing', 1, 'Lab Root'],
      ['mail.bank32.com', 2, 'Lab Issuing'],
      ['www.bank32.com', 1, 'Lab Root'],
      ['Old Root', 0, null],
    ]);
    expect(countCertificates(tree)).toBe(7);
    expect(countCertificates(null)).toBe(0);
  });

  it('offers as signers only the CAs whose key is in the workbench, labelled by where they sit', () => {
    expect(caChoices(tree).map((c) => c.label)).toEqual(['Lab Root', 'Lab Root › Lab Issuing', 'Old Root', 'Their CA']);
    expect(signingCas(tree).map((c) => c.name)).toEqual(['Lab Root', 'Lab Issuing', 'Their CA']);
    expect(signingCas(null)).toEqual([]);
    // An intermediate with pathlen 0 signs no CA: the CA form greys it out as a parent.
    const limited: PkiTree = { ...tree, others: [], cas: [ca(1, 'Lab Root', [ca(3, 'Lab Issuing', [], [], { issuerId: 1, pathLength: 0 })], [], { selfSigned: true, issuerId: null })] };
    expect(caChoices(limited).map((c) => [c.name, c.pathLength])).toEqual([['Lab Root', undefined], ['Lab Issuing', 0]]);
  });

  it('finds a certificate anywhere and the CAs above it', () => {
    expect(findCertificate(tree, 4)?.name).toBe('mail.bank32.com');
    expect(findCertificate(tree, 6)?.name).toBe('imported.test');
    expect(findCertificate(tree, 99)).toBeNull();
    expect(certificatePath(tree, 4).map((c) => c.name)).toEqual(['Lab Root', 'Lab Issuing', 'mail.bank32.com']);
    expect(certificatePath(tree, 1).map((c) => c.name)).toEqual(['Lab Root']);
    expect(certificatePath(tree, 6).map((c) => c.name)).toEqual(['imported.test']);
    // A node in the path is the certificate alone, without its subtree.
    expect(certificatePath(tree, 4)[0]).not.toHaveProperty('children');
  });

  it('names what a row is, and pulls the CN out of either way of writing a subject', () => {
    expect(kindLabel(tree.cas[0]!)).toBe('Root CA');
    expect(kindLabel(tree.cas[0]!.children[0]!)).toBe('Intermediate CA');
    expect(kindLabel(cert(9, 'x', { kind: 'forged' }))).toBe('Forged');
    expect(subjectCommonName('O=Lab, CN=Lab Root CA')).toBe('Lab Root CA');
    expect(subjectCommonName('/C=US/O=Model CA LTD./CN=www.modelCA.com')).toBe('www.modelCA.com');
    expect(subjectCommonName('O=Nameless')).toBe('O=Nameless');
  });
});

describe('certificate routes', () => {
  it('keep the list, a certificate and a CSR in the address, so a reload keeps the view', () => {
    expect(parseRoute('#/certificates')).toEqual({ name: 'certificates' });
    expect(parseRoute('#/certificates/12')).toEqual({ name: 'certificate', id: 12 });
    expect(parseRoute('#/certificates/csr/3/')).toEqual({ name: 'csr', id: 3 });
    for (const route of [{ name: 'certificates' }, { name: 'certificate', id: 12 }, { name: 'csr', id: 3 }] as const) {
      expect(parseRoute(routeHash(route))).toEqual(route);
    }
    expect(parseRoute('#/certificates/abc')).toEqual({ name: 'not-found', path: '/certificates/abc' });
  });
});

describe('long jobs', () => {
  it('keeps the newest state of each job in start order, and drops ended ones after a while', () => {
    let jobs = mergeJob([], { id: 2, label: 'Generating an RSA 4096 key', state: 'started', startedAt: 2_000 });
    jobs = mergeJob(jobs, { id: 1, label: 'first', state: 'started', startedAt: 1_000 });
    jobs = mergeJob(jobs, { id: 2, label: 'Generating an RSA 4096 key', state: 'finished', startedAt: 2_000, endedAt: 5_800 });
    expect(jobs.map((j) => [j.id, j.state])).toEqual([[1, 'started'], [2, 'finished']]);
    expect(runningJobs(jobs).map((j) => j.id)).toEqual([1]);
    expect(jobProgress(jobs[0]!, 5_250)).toBe('4.3 s');
    expect(jobProgress(jobs[1]!, 99_000)).toBe('took 3.8 s');
    expect(jobProgress({ id: 3, label: 'x', state: 'failed', startedAt: 0, endedAt: 1_000, error: 'no memory' }, 5_000)).toBe('failed after 1.0 s: no memory');
    expect(pruneJobs(jobs, 5_800 + 12_001).map((j) => j.id)).toEqual([1]);
    expect(pruneJobs(jobs, 5_800 + 1_000).map((j) => j.id)).toEqual([1, 2]);
  });
});

describe('the ca.pem of the try-it command', () => {
  const summaryOf = (id: number, name: string, issuerId: number | null, ca: boolean, selfSigned = false): PkiCertificateSummary =>
    ({ id, name, issuerId, isCa: ca, selfSigned, hasPrivateKey: true }) as PkiCertificateSummary;
  const node = (c: PkiCertificateSummary, children: PkiCaNode[] = [], issued: PkiCertificateSummary[] = []): PkiCaNode => ({ ...c, children, issued });
  const treeOf = (cas: PkiCaNode[], others: PkiCertificateSummary[] = []): PkiTree => ({ cas, others, csrs: [] }) as unknown as PkiTree;

  const root = summaryOf(1, 'Lab Root', 1, true, true);
  const intermediate = summaryOf(2, 'Lab Issuing', 1, true);
  const leaf = summaryOf(3, 'www.bank32.com', 2, false);
  const labTree = treeOf([node(root, [node(intermediate, [], [leaf])])]);

  it('is the root the certificate chains to, through its intermediate', () => {
    expect(rootCaOf(labTree, 'www.bank32.com')).toEqual({ id: 1, name: 'Lab Root' });
    expect(rootCaOf(labTree, 'Lab Issuing')).toEqual({ id: 1, name: 'Lab Root' });
  });

  it('is unknown for a certificate whose issuer is not in the workshop, or one not there at all', () => {
    expect(rootCaOf(treeOf([], [summaryOf(9, 'imported.example', null, false)]), 'imported.example')).toBeNull();
    expect(rootCaOf(labTree, 'gone.example')).toBeNull();
    expect(rootCaOf(null, 'www.bank32.com')).toBeNull();
  });
});

describe('a workshop select with one name in it', () => {
  it('holds that name without a pick by hand, keeps a choice made, and waits when there are several', () => {
    expect(onlyChoice('', [{ name: 'Lab Root' }])).toBe('Lab Root');
    expect(onlyChoice('Other CA', [{ name: 'Lab Root' }])).toBe('Other CA');
    expect(onlyChoice('', [{ name: 'Lab Root' }, { name: 'Evil CA' }])).toBe('');
    expect(onlyChoice('', [])).toBe('');
  });
});

describe('names in use', () => {
  it('gathers the names of CAs, what they issued, other certificates and CSRs, which share one list in the engine', () => {
    const withCsr: PkiTree = { ...tree, csrs: [{ id: 1, name: 'csr www', subject: 'CN=www', subjectAltNames: [], keySummary: '', hasPrivateKey: true, signatureValid: true, createdAt: 0, pem: '' }] };
    expect([...workbenchNames(withCsr)].sort()).toEqual(
      ['Lab Issuing', 'Lab Root', 'Old Root', 'Their CA', 'csr www', 'imported.test', 'mail.bank32.com', 'www.bank32.com'].sort(),
    );
    expect(workbenchNames(null).size).toBe(0);
  });
});

describe('folding a CA in the tree', () => {
  it('hides what sits below a folded CA, keeps the CA, and counts what it hides', () => {
    const rows = flattenCaTree(tree.cas);
    expect(visibleRows(rows, new Set()).map((r) => [r.certificate.name, r.below])).toEqual([
      ['Lab Root', 3],
      ['Lab Issuing', 1],
      ['mail.bank32.com', 0],
      ['www.bank32.com', 0],
      ['Old Root', 0],
    ]);
    expect(visibleRows(rows, new Set([3])).map((r) => r.certificate.name)).toEqual(['Lab Root', 'Lab Issuing', 'www.bank32.com', 'Old Root']);
    expect(visibleRows(rows, new Set([1, 3])).map((r) => [r.certificate.name, r.below])).toEqual([['Lab Root', 3], ['Old Root', 0]]);
  });
});

describe('the workshop CA a server chain leads to', () => {
  const withPrints: PkiTree = {
    ...tree,
    cas: [
      ca(1, 'Lab Root', [ca(3, 'Lab Issuing', [], [], { issuerId: 1, fingerprintSha256: 'CC:DD', subject: 'CN=Lab Issuing' })], [], {
        selfSigned: true, issuerId: null, fingerprintSha256: 'AA:BB', subject: 'CN=Lab Root CA',
      }),
    ],
  };
  const link = (fingerprintSha256: string, issuer: string, selfIssued = false) => ({ fingerprintSha256, issuer, selfIssued });

  it('is the highest certificate of the chain that is a workshop CA, whatever the fingerprint\'s spelling', () => {
    expect(workshopCaOfChain(withPrints, [link('11', 'CN=Lab Issuing'), link('ccdd', 'CN=Lab Root CA'), link('aabb', 'CN=Lab Root CA', true)])?.name).toBe('Lab Root');
    expect(workshopCaOfChain(withPrints, [link('11', 'CN=Lab Issuing'), link('cc:dd', 'CN=Lab Root CA')])?.name).toBe('Lab Issuing');
  });

  it('is the issuer of a chain that stops below it, and nothing for a chain of strangers', () => {
    expect(workshopCaOfChain(withPrints, [link('11', 'CN=Lab Root CA')])?.name).toBe('Lab Root');
    expect(workshopCaOfChain(withPrints, [link('11', 'CN=Someone Else')])).toBeNull();
    expect(workshopCaOfChain(withPrints, [link('99', 'CN=Stranger', true)])).toBeNull();
    expect(workshopCaOfChain(null, [link('aabb', 'CN=Lab Root CA', true)])).toBeNull();
  });
});

describe('the client certificate a server requiring one from a workshop CA takes', () => {
  const clients = (...issued: PkiCertificateSummary[]): PkiTree => ({
    ...tree,
    cas: [ca(1, 'Lab Root', [ca(3, 'Lab Issuing', [], issued.slice(1), { issuerId: 1 })], [cert(2, 'www.bank32.com'), ...issued.slice(0, 1)], { selfSigned: true, issuerId: null })],
  });

  it('is the only one under that CA, sub-CAs included; server certificates do not count', () => {
    expect(onlyClientCertificateUnder(clients(cert(10, 'alice', { kind: 'client' })), 'Lab Root')).toBe('alice');
    expect(onlyClientCertificateUnder(clients(cert(10, 'www2', { kind: 'server' }), cert(11, 'bob', { kind: 'client' })), 'Lab Root')).toBe('bob');
    expect(onlyClientCertificateUnder(clients(cert(10, 'www2', { kind: 'server' }), cert(11, 'bob', { kind: 'client' })), 'Lab Issuing')).toBe('bob');
  });

  it('is none when there are two to choose from, or the only one cannot be used', () => {
    expect(onlyClientCertificateUnder(clients(cert(10, 'alice', { kind: 'client' }), cert(11, 'bob', { kind: 'client' })), 'Lab Root')).toBeNull();
    expect(onlyClientCertificateUnder(clients(cert(10, 'alice', { kind: 'client', expired: true })), 'Lab Root')).toBeNull();
    expect(onlyClientCertificateUnder(clients(cert(10, 'alice', { kind: 'client', hasPrivateKey: false })), 'Lab Root')).toBeNull();
    expect(onlyClientCertificateUnder(clients(cert(10, 'alice', { kind: 'client' })), 'Nobody')).toBeNull();
  });
});
