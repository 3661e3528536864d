// "Start here": the lab's first hour as steps, each marked done from what the data folder already
// holds (a CA, a server certificate, a running server, sessions), so that a student sees where
// they are and what comes next, and a teacher sees the path the lab takes through the workbench.
import type { HostEntry, PkiCertificateSummary, PkiTree, ServerInfo, SessionSummary } from '../api/contract';
import { clientFormFor, type ClientForm, type ClientTarget } from './client-form';
import { defaultProxyForm, type ProxyForm } from './proxy-form';
import { firstDnsName, flattenCaTree, rootCaOf } from './pki-tree';
import { serverClientTarget } from './server-view';

export type GuideStepId = 'ca' | 'certificate' | 'server' | 'hosts' | 'client' | 'broken' | 'proxy';

export interface GuideStep {
  id: GuideStepId;
  done: boolean;
  /** What shows it is done ("CA “Lab Root”", "session #4"), or null while it is not. */
  evidence: string | null;
  /** The session that did it, for a link. */
  sessionId?: number;
}

export interface GuideFacts {
  tree: PkiTree | null;
  /** The servers this window's engine runs (any status). */
  servers: readonly ServerInfo[];
  /** Servers started from a terminal on this data folder. */
  serversElsewhere: number;
  sessions: readonly SessionSummary[];
  hosts: readonly HostEntry[];
}

/** The address a lab server listens on when the guide has nothing better: the lab's port. */
export const LAB_PORT = 4433;

/** Workshop CAs with their keys: the ones that can sign. */
function signingCas(tree: PkiTree | null): PkiCertificateSummary[] {
  return tree ? flattenCaTree(tree.cas).map((r) => r.certificate).filter((c) => c.isCa && c.hasPrivateKey) : [];
}

/** A certificate a TLS server can present: not a CA, its key here, and no usage that rules out a server. */
function isServerCertificate(c: PkiCertificateSummary): boolean {
  if (c.isCa || !c.hasPrivateKey) return false;
  const usages = c.extendedKeyUsage;
  return usages == null || usages.some((u) => u.name === 'serverAuth');
}

const dnsName = (c: PkiCertificateSummary): string | null => firstDnsName(c.subjectAltNames);

/** The CA the guide's steps and commands name: the first workshop CA that can sign, else the lab's usual one. */
export function guideCaName(tree: PkiTree | null): string {
  return signingCas(tree)[0]?.name ?? 'Lab Root';
}

/** The newest server certificate of the workshop with a name to ask for. */
export function guideServerCertificate(tree: PkiTree | null): PkiCertificateSummary | null {
  if (!tree) return null;
  const all = [...flattenCaTree(tree.cas).map((r) => r.certificate), ...tree.others];
  const usable = all.filter((c) => isServerCertificate(c) && dnsName(c) !== null);
  return usable.sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
}

/** A client session whose server certificate passed both checks. */
function verifiedClient(s: SessionSummary): boolean {
  return s.kind === 'client' && s.status === 'ok' && s.verification?.chain.ok === true && s.verification.hostname?.ok === true;
}

/** A client session in which a certificate check failed (whether or not the session went on). */
function failedCheck(s: SessionSummary): boolean {
  return s.kind === 'client' && s.verification !== null && (s.verification.chain.ok === false || s.verification.hostname?.ok === false);
}

export function guideSteps(facts: GuideFacts): GuideStep[] {
  const cas = signingCas(facts.tree);
  const certificate = guideServerCertificate(facts.tree);
  const running = facts.servers.filter((s) => s.status === 'running');
  // The list is newest first: find() gives the newest that did it.
  const serverSession = facts.sessions.find((s) => s.kind === 'server');
  const host = certificate ? dnsName(certificate) : null;
  const mapped = facts.hosts.find((h) => host !== null && h.name.toLowerCase() === host.toLowerCase());
  const client = facts.sessions.find(verifiedClient);
  const broken = facts.sessions.find(failedCheck);
  const proxied = facts.sessions.find((s) => s.kind === 'proxy');
  const serverEvidence =
    running.length > 0 ? `${running[0].label} is running`
    : facts.serversElsewhere > 0 ? 'a server runs from a terminal'
    : serverSession ? `session #${serverSession.id} was served`
    : null;
  return [
    { id: 'ca', done: cas.length > 0, evidence: cas.length > 0 ? `CA “${cas[0].name}”` : null },
    { id: 'certificate', done: certificate !== null, evidence: certificate ? `“${certificate.name}” for ${host}` : null },
    { id: 'server', done: serverEvidence !== null, evidence: serverEvidence, sessionId: running.length === 0 ? serverSession?.id : undefined },
    { id: 'hosts', done: mapped !== undefined, evidence: mapped ? `${mapped.name} → ${mapped.address}` : null },
    { id: 'client', done: client !== undefined, evidence: client ? `session #${client.id}, verified` : null, sessionId: client?.id },
    { id: 'broken', done: broken !== undefined, evidence: broken ? `session #${broken.id}: ${broken.verification?.summary ?? 'a check failed'}` : null, sessionId: broken?.id },
    { id: 'proxy', done: proxied !== undefined, evidence: proxied ? `session #${proxied.id} went through the proxy` : null, sessionId: proxied?.id },
  ];
}

/** Steps a student may skip: "Connect to" in the client form does what the host table does. */
export const OPTIONAL_STEPS: ReadonlySet<GuideStepId> = new Set(['hosts']);

/**
 * The step to do next: the first one not done, passing over an optional one once a step after it
 * is done (who connected with "Connect to" has no need of the host table), unless nothing else is
 * left; null when all are done.
 */
export function nextStep(steps: readonly GuideStep[]): GuideStepId | null {
  const skipped = (s: GuideStep, i: number) => OPTIONAL_STEPS.has(s.id) && steps.slice(i + 1).some((later) => later.done);
  const next = steps.find((s, i) => !s.done && !skipped(s, i)) ?? steps.find((s) => !s.done);
  return next?.id ?? null;
}

/**
 * Where the client step points: the running workshop server (its name, address and CA), else the
 * workshop's server certificate at the lab's port. With the name in the host table, no "connect
 * to": the host table does what /etc/hosts does in the lab.
 */
export function guideClientTarget(facts: GuideFacts): ClientTarget | null {
  const running = facts.servers.find((s) => s.status === 'running' && s.config.identity.kind === 'lab');
  const certificate = guideServerCertificate(facts.tree);
  let target: ClientTarget | null = null;
  if (running) target = serverClientTarget(running, (name) => rootCaOf(facts.tree, name));
  else if (certificate) {
    target = { host: dnsName(certificate)!, port: LAB_PORT, connectTo: `127.0.0.1`, trustCa: rootCaOf(facts.tree, certificate.name)?.name ?? null };
  }
  if (!target) return null;
  const mapped = facts.hosts.some((h) => h.name.toLowerCase() === target.host.toLowerCase());
  return mapped ? { ...target, connectTo: '' } : target;
}

/** The client form for the first step that needs one: the server reached as it should be. */
export function guideClientForm(target: ClientTarget): ClientForm {
  return clientFormFor(target);
}

/**
 * The same server asked for by its address instead of its name: the chain still checks out, the
 * name does not (the certificate holds www.bank32.com, not 127.0.0.1), and the session says so.
 */
export function guideBrokenForm(target: ClientTarget): ClientForm {
  return clientFormFor({ ...target, host: target.connectTo || '127.0.0.1', connectTo: '' });
}

/**
 * The proxy form for the last step: forged certificates signed by the workshop CA, and the "real"
 * site the lab's own server, found by its name (the host map) and checked against its CA, so that
 * the proxy's second leg verifies as a careful attacker's would.
 */
export function guideProxyForm(facts: GuideFacts, caName: string): ProxyForm {
  const form = defaultProxyForm();
  form.ca = caName;
  const target = guideClientTarget(facts);
  const running = facts.servers.find((s) => s.status === 'running' && s.config.identity.kind === 'lab');
  if (target && running) form.map = `${target.host}=${running.host}:${running.port}`;
  if (target?.trustCa) {
    form.upstreamTrust = 'lab';
    form.upstreamLab = target.trustCa;
  }
  return form;
}
