// "Start here": the lab's first hour as steps, each marked done from what the data folder already
// holds (a CA, a server certificate, a running server, sessions), so that a student sees where
// they are and what comes next; and a teacher's path, preparing a lab to hand out, ticked the same way.
import type { HostEntry, PkiCertificateSummary, PkiTree, ServerInfo, SessionSummary } from '../api/contract';
import { handoutIds } from './sessions-catalog';
import { clientFormFor, type ClientForm, type ClientTarget } from './client-form';
import { defaultProxyForm, type ProxyForm } from './proxy-form';
import { firstDnsName, flattenCaTree, rootCaOf } from './pki-tree';
import { serverClientTarget } from './server-view';
import { plural } from './format';

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

/** Every certificate of the workshop: the CAs' trees, then the ones without their CA here. */
function workshopCertificates(tree: PkiTree): PkiCertificateSummary[] {
  return [...flattenCaTree(tree.cas).map((r) => r.certificate), ...tree.others];
}

/** The CA the guide's steps and commands name: the first workshop CA that can sign, else the lab's usual one. */
export function guideCaName(tree: PkiTree | null): string {
  return signingCas(tree)[0]?.name ?? 'Lab Root';
}

/** The newest server certificate of the workshop with a name to ask for. */
export function guideServerCertificate(tree: PkiTree | null): PkiCertificateSummary | null {
  if (!tree) return null;
  const all = workshopCertificates(tree);
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
  const { client, broken, proxy: proxied } = referenceSessions(facts.sessions);
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

// The teacher's path: a lab prepared once (CA, server certificates, reference sessions, one tag)
// and handed out as one file. An export leaves nothing in the data folder, so the last two steps
// are never ticked: they say what to do, with the command.

/** A session a step names, with what it stands for ("verified"): shown as "verified #4", linked. */
export interface SessionLink {
  label: string;
  id: number;
}

export type TeacherStepId = 'root' | 'intermediate' | 'certificates' | 'reference' | 'tag' | 'handout' | 'students';

export interface TeacherStep {
  id: TeacherStepId;
  done: boolean;
  /** What the data folder shows for it, done or partly done ("tag “lab-1” on 1 session"); null for nothing. */
  evidence: string | null;
  /** Sessions that show it, each a link before the evidence ("verified #4 · failed check #5"). */
  sessions?: SessionLink[];
  /** False for what the data folder cannot show (an export, what students do with it): never ticked. */
  tracked: boolean;
}

/** The intermediate CA is for the chain lesson: a lab may do without. */
export const TEACHER_OPTIONAL_STEPS: ReadonlySet<TeacherStepId> = new Set(['intermediate']);

/** The tag the guide suggests before the folder has one on two sessions. */
export const LAB_TAG = 'lab-1';
/** The lab's second site, for the SNI lesson: one server, two names, two certificates. */
export const SECOND_LAB_HOST = 'www.example32.com';

/** The workshop's root CA that can sign (the first one), the anchor students are given. */
export function teacherRootCa(tree: PkiTree | null): PkiCertificateSummary | null {
  return signingCas(tree).find((c) => c.selfSigned) ?? null;
}

/** A CA with its key signed by another workshop CA: the chain lesson's intermediate (the newest). */
export function teacherIntermediateCa(tree: PkiTree | null): PkiCertificateSummary | null {
  return signingCas(tree).filter((c) => !c.selfSigned).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
}

/** The CA that issues the lab's server certificates: the intermediate when there is one. */
export function teacherIssuingCa(tree: PkiTree | null): string {
  return teacherIntermediateCa(tree)?.name ?? teacherRootCa(tree)?.name ?? 'Lab Root';
}

/** The names the workshop's server certificates serve, oldest first, each once. */
export function labServerNames(tree: PkiTree | null): string[] {
  if (!tree) return [];
  const all = workshopCertificates(tree);
  const names: string[] = [];
  for (const c of all.filter(isServerCertificate).sort((a, b) => a.createdAt - b.createdAt)) {
    const name = dnsName(c)?.toLowerCase();
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The server name a teacher should issue next: the lab's usual one, then a second for SNI. */
export function nextLabHost(tree: PkiTree | null): string {
  const names = labServerNames(tree);
  if (!names.includes('www.bank32.com')) return 'www.bank32.com';
  return SECOND_LAB_HOST;
}

/** The certificate the lab server presents: www.bank32.com's when there is one, else the newest server certificate. */
export function teacherServerCertificate(tree: PkiTree | null): PkiCertificateSummary | null {
  if (!tree) return null;
  const all = workshopCertificates(tree).filter(isServerCertificate);
  return all.find((c) => dnsName(c)?.toLowerCase() === 'www.bank32.com') ?? guideServerCertificate(tree);
}

/** The three sessions students open: a verified client session, a failed check, one through the proxy. */
export type ReferenceKind = 'client' | 'broken' | 'proxy';

export function referenceSessions(sessions: readonly SessionSummary[]): Record<ReferenceKind, SessionSummary | undefined> {
  return { client: sessions.find(verifiedClient), broken: sessions.find(failedCheck), proxy: sessions.find((s) => s.kind === 'proxy') };
}

/**
 * What the reference step's button does next: start a server when none runs (each session needs
 * one to reach), else record the first reference session missing; null once all three are there.
 */
export function referenceAction(facts: GuideFacts): 'server' | ReferenceKind | null {
  const found = referenceSessions(facts.sessions);
  const missing = (['client', 'broken', 'proxy'] as const).find((k) => found[k] === undefined);
  if (!missing) return null;
  const serverUp = facts.servers.some((s) => s.status === 'running') || facts.serversElsewhere > 0;
  return serverUp ? missing : 'server';
}

/** The reference sessions not yet carrying `tag`, oldest first: what the tag step's command names. */
export function untaggedReferenceIds(sessions: readonly SessionSummary[], tag: string): number[] {
  const found = referenceSessions(sessions);
  return [found.client, found.broken, found.proxy]
    .filter((s): s is SessionSummary => s !== undefined && !tagsOf(s).includes(tag))
    .map((s) => s.id)
    .sort((a, b) => a - b);
}

const tagsOf = (s: SessionSummary): readonly string[] => ('tags' in s && Array.isArray(s.tags) ? (s.tags as string[]) : []);

/** The lab's tag: the one on the most sessions (the first in name order on a tie), with its sessions. */
export function labTag(sessions: readonly SessionSummary[]): { tag: string; ids: number[] } | null {
  const byTag = new Map<string, number[]>();
  for (const s of sessions) for (const t of tagsOf(s)) byTag.set(t, [...(byTag.get(t) ?? []), s.id]);
  const best = [...byTag].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))[0];
  return best ? { tag: best[0], ids: best[1] } : null;
}

/**
 * The hand-out: the sessions of the lab's tag, in the order the Sessions view's export writes them
 * (oldest first), once a tag is on two of them; null before.
 */
export function teacherHandout(sessions: readonly SessionSummary[]): { tag: string; ids: number[] } | null {
  const lab = labTag(sessions);
  if (!lab || lab.ids.length < 2) return null;
  return { tag: lab.tag, ids: handoutIds(lab.ids.map((id) => ({ id }))) };
}

export function teacherSteps(facts: GuideFacts): TeacherStep[] {
  const root = teacherRootCa(facts.tree);
  const intermediate = teacherIntermediateCa(facts.tree);
  const names = labServerNames(facts.tree);
  const found = referenceSessions(facts.sessions);
  const lab = labTag(facts.sessions);
  const referenceWords: Record<ReferenceKind, string> = { client: 'verified', broken: 'failed check', proxy: 'through the proxy' };
  const foundLinks = (['client', 'broken', 'proxy'] as const).flatMap((k) => (found[k] ? [{ label: referenceWords[k], id: found[k].id }] : []));
  const missingWords = (['client', 'broken', 'proxy'] as const).filter((k) => !found[k]).map((k) => referenceWords[k]);
  const referenceDone = missingWords.length === 0;
  const intermediateParent = intermediate ? signingCas(facts.tree).find((c) => c.id === intermediate.issuerId) : undefined;
  return [
    { id: 'root', tracked: true, done: root !== null, evidence: root ? `root CA “${root.name}”` : null },
    {
      id: 'intermediate',
      tracked: true,
      done: intermediate !== null,
      evidence: intermediate ? `“${intermediate.name}”${intermediateParent ? ` under “${intermediateParent.name}”` : ''}` : null,
    },
    {
      id: 'certificates',
      tracked: true,
      done: names.length >= 2,
      evidence: names.length === 0 ? null : names.length === 1 ? `${names[0]}; a second name is still missing` : names.join(', '),
    },
    {
      id: 'reference',
      tracked: true,
      done: referenceDone,
      evidence: foundLinks.length === 0 || referenceDone ? null : `still missing: ${missingWords.join(', ')}`,
      sessions: foundLinks,
    },
    {
      id: 'tag',
      tracked: true,
      done: lab !== null && lab.ids.length >= 2,
      evidence: lab ? `tag “${lab.tag}” on ${plural(lab.ids.length, 'session')}${lab.ids.length < 2 ? '; a hand-out needs two or more' : ''}` : null,
    },
    { id: 'handout', tracked: false, done: false, evidence: null },
    { id: 'students', tracked: false, done: false, evidence: null },
  ];
}

/**
 * The teacher's next step: the first tracked one not done, passing over the optional intermediate
 * once a later step is done (the lab went on without the chain lesson); then the hand-out, which
 * the folder cannot show done.
 */
export function teacherNextStep(steps: readonly TeacherStep[]): TeacherStepId | null {
  const tracked = steps.filter((s) => s.tracked);
  const skipped = (s: TeacherStep, i: number) => TEACHER_OPTIONAL_STEPS.has(s.id) && tracked.slice(i + 1).some((later) => later.done);
  return tracked.find((s, i) => !s.done && !skipped(s, i))?.id ?? steps.find((s) => !s.tracked)?.id ?? null;
}
