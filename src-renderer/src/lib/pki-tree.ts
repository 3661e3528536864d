// The workshop's tree as rows on screen: CAs with their sub-CAs and what they issued, indented.
import type { CertificateInfo, PkiCaNode, PkiCertificateKind, PkiCertificateSummary, PkiTree } from '../api/contract';

export interface PkiTreeRow {
  certificate: PkiCertificateSummary;
  /** 0 for a root CA. */
  depth: number;
  /** Name of the workbench CA that issued it, when it is in the workbench. */
  issuerName: string | null;
}

/** The first DNS name among a certificate's subject alternative names that is not a wildcard: the name a client asks for. */
export function firstDnsName(subjectAltNames: readonly string[]): string | null {
  return subjectAltNames.find((s) => s.startsWith('DNS:') && !s.includes('*'))?.slice(4) ?? null;
}

/** Depth-first: each CA, then the CAs below it, then the certificates it issued. */
export function flattenCaTree(cas: readonly PkiCaNode[]): PkiTreeRow[] {
  const rows: PkiTreeRow[] = [];
  const walk = (node: PkiCaNode, depth: number, issuerName: string | null): void => {
    const { children, issued, ...certificate } = node;
    rows.push({ certificate, depth, issuerName });
    for (const child of children) walk(child, depth + 1, node.name);
    for (const leaf of issued) rows.push({ certificate: leaf, depth: depth + 1, issuerName: node.name });
  };
  for (const root of cas) walk(root, 0, null);
  return rows;
}

/**
 * The rows left on screen when some CAs are folded: a folded CA stays, what sits below it goes
 * (a CA with fifty certificates filled the page). `below` counts what each folded CA hides.
 */
export function visibleRows(rows: readonly PkiTreeRow[], folded: ReadonlySet<number>): Array<PkiTreeRow & { below: number }> {
  const shown: Array<PkiTreeRow & { below: number }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let below = 0;
    while (i + below + 1 < rows.length && rows[i + below + 1]!.depth > row.depth) below++;
    shown.push({ ...row, below });
    if (folded.has(row.certificate.id)) i += below;
  }
  return shown;
}

export interface CaChoice {
  id: number;
  name: string;
  /** "Lab Root › Lab Intermediate": where it sits. */
  label: string;
  hasPrivateKey: boolean;
  expired: boolean;
  /** pathLenConstraint when set: 0 signs no CA. */
  pathLength?: number;
}

/** Every workbench CA, for the "issuing CA" selects; a CA without its key cannot sign. */
export function caChoices(tree: PkiTree | null): CaChoice[] {
  if (!tree) return [];
  const choices: CaChoice[] = [];
  const walk = (node: PkiCaNode, trail: string[]): void => {
    const path = [...trail, node.name];
    choices.push({ id: node.id, name: node.name, label: path.join(' › '), hasPrivateKey: node.hasPrivateKey, expired: node.expired, pathLength: node.pathLength });
    for (const child of node.children) walk(child, path);
  };
  for (const root of tree.cas) walk(root, []);
  // Imported CAs without a workbench issuer may still sign when their key came along.
  for (const other of tree.others) {
    if (other.isCa) choices.push({ id: other.id, name: other.name, label: other.name, hasPrivateKey: other.hasPrivateKey, expired: other.expired, pathLength: other.pathLength });
  }
  return choices;
}

/** What a select of workshop names should hold: the choice made, else the only one there is (nothing to pick by hand), else nothing. */
export function onlyChoice(value: string, choices: ReadonlyArray<{ name: string }>): string {
  if (value) return value;
  return choices.length === 1 ? choices[0].name : '';
}

/** The CAs that can sign now: their key is in the workbench. */
export function signingCas(tree: PkiTree | null): CaChoice[] {
  return caChoices(tree).filter((ca) => ca.hasPrivateKey);
}

/** A stored certificate, wherever it sits in the tree. */
export function findCertificate(tree: PkiTree | null, id: number): PkiCertificateSummary | null {
  if (!tree) return null;
  const row = flattenCaTree(tree.cas).find((r) => r.certificate.id === id);
  if (row) return row.certificate;
  return tree.others.find((c) => c.id === id) ?? null;
}

/** The workbench CAs above a certificate, root first, ending with the certificate itself. */
export function certificatePath(tree: PkiTree | null, id: number): PkiCertificateSummary[] {
  if (!tree) return [];
  const search = (node: PkiCaNode, trail: PkiCertificateSummary[]): PkiCertificateSummary[] | null => {
    const { children, issued, ...self } = node;
    const here = [...trail, self];
    if (node.id === id) return here;
    const leaf = issued.find((c) => c.id === id);
    if (leaf) return [...here, leaf];
    for (const child of children) {
      const found = search(child, here);
      if (found) return found;
    }
    return null;
  };
  for (const root of tree.cas) {
    const found = search(root, []);
    if (found) return found;
  }
  const other = tree.others.find((c) => c.id === id);
  return other ? [other] : [];
}

/** Every name in use: certificates, CAs and CSRs share one list (the engine refuses a second "Lab Root"). */
export function workbenchNames(tree: PkiTree | null): Set<string> {
  if (!tree) return new Set();
  return new Set([...flattenCaTree(tree.cas).map((row) => row.certificate.name), ...tree.others.map((c) => c.name), ...tree.csrs.map((c) => c.name)]);
}

export function countCertificates(tree: PkiTree | null): number {
  if (!tree) return 0;
  return flattenCaTree(tree.cas).length + tree.others.length;
}

const KIND_LABELS: Record<PkiCertificateKind, string> = {
  ca: 'CA',
  server: 'Server',
  client: 'Client',
  imported: 'Imported',
  forged: 'Forged',
};

/** What a row is, in one word: a root and an intermediate CA are told apart. */
export function kindLabel(certificate: Pick<PkiCertificateSummary, 'kind' | 'isCa' | 'selfSigned'>): string {
  if (certificate.isCa) return certificate.selfSigned ? 'Root CA' : 'Intermediate CA';
  return KIND_LABELS[certificate.kind];
}

/**
 * What a certificate is for, in a few words, from its extendedKeyUsage: "TLS server", "TLS server,
 * TLS client"; a CA without one signs certificates and says nothing more, any other certificate
 * without one may be used for anything. Null when the summary does not say (or for such a CA).
 */
export function usageLabel(certificate: Pick<PkiCertificateSummary, 'extendedKeyUsage' | 'isCa'>): { text: string; title: string } | null {
  const purposes = certificate.extendedKeyUsage;
  if (purposes === undefined || (purposes === null && certificate.isCa)) return null;
  if (purposes === null) return { text: 'any use', title: 'No extendedKeyUsage extension: nothing limits what the certificate may be used for' };
  if (purposes.length === 0) return { text: 'no use', title: 'An empty extendedKeyUsage: no purpose is allowed' };
  return {
    text: purposes.map((p) => p.meaning).join(', '),
    title: `extendedKeyUsage: ${purposes.map((p) => `${p.name} (${p.meaning})`).join(', ')}`,
  };
}

/** The common name out of an OpenSSL-style or RFC 2253-style subject, else the whole subject. */
export function subjectCommonName(subject: string): string {
  const match = /(?:^|[/,]\s*)CN\s*=\s*([^/,]+)/.exec(subject);
  return match?.[1]?.trim() || subject;
}

/**
 * The root CA a workshop certificate chains to: the "ca.pem" of a try-it command. Null
 * when the certificate or a CA on its way up is not in the workshop.
 */
export function rootCaOf(tree: PkiTree | null, certificateName: string): { id: number; name: string } | null {
  if (!tree) return null;
  const named = [...flattenCaTree(tree.cas).map((r) => r.certificate), ...tree.others].find((c) => c.name === certificateName);
  const root = named ? certificatePath(tree, named.id)[0] : undefined;
  return root && root.isCa && root.selfSigned ? { id: root.id, name: root.name } : null;
}

const hexOnly = (fingerprint: string): string => fingerprint.replace(/[^0-9a-fA-F]/g, '').toLowerCase();

/**
 * The workshop CA a peer's chain leads to, for "trust it" advice: the certificate highest in the
 * chain that is a workshop CA, else (a server that sent no root) the one workshop CA whose subject
 * is the top certificate's issuer. Null when the chain leads to none of them.
 */
export function workshopCaOfChain(
  tree: PkiTree | null,
  chain: ReadonlyArray<Pick<CertificateInfo, 'fingerprintSha256' | 'issuer' | 'selfIssued'>>,
): PkiCertificateSummary | null {
  if (!tree || chain.length === 0) return null;
  const cas = [...flattenCaTree(tree.cas).map((row) => row.certificate), ...tree.others].filter((c) => c.isCa);
  for (let i = chain.length - 1; i >= 0; i--) {
    const fingerprint = hexOnly(chain[i].fingerprintSha256);
    const match = cas.find((ca) => hexOnly(ca.fingerprintSha256) === fingerprint);
    if (match) return match;
  }
  const top = chain[chain.length - 1];
  if (top.selfIssued) return null;
  const issuers = cas.filter((ca) => ca.subject === top.issuer);
  return issuers.length === 1 ? issuers[0] : null;
}

/**
 * The one client certificate (with its key, not expired) the workshop CA `caName` or a CA below it
 * issued: what a client needs for a server that requires certificates from that CA. Null when
 * there is none or more than one to choose from.
 */
export function onlyClientCertificateUnder(tree: PkiTree | null, caName: string): string | null {
  if (!tree) return null;
  const find = (nodes: readonly PkiCaNode[]): PkiCaNode | null => {
    for (const node of nodes) {
      if (node.name === caName) return node;
      const below = find(node.children);
      if (below) return below;
    }
    return null;
  };
  const ca = find(tree.cas);
  if (!ca) return null;
  const clients = flattenCaTree([ca])
    .map((row) => row.certificate)
    .filter((c) => c.kind === 'client' && !c.isCa && c.hasPrivateKey && !c.expired);
  return clients.length === 1 ? clients[0].name : null;
}
