// "Start here": which of the lab's steps a data folder shows done, which comes next, and where the
// client steps point the form; the same for the teacher's path (a lab prepared and handed out).
import { describe, expect, it } from 'vitest';
import type { PkiCaNode, PkiTree, ServerInfo } from '../../../src-renderer/src/api/contract';
import { parseRoute, routeHash } from '../../../src-renderer/src/lib/route';
import {
  guideBrokenForm,
  guideClientForm,
  guideClientTarget,
  guideProxyForm,
  guideSteps,
  nextStep,
  referenceAction,
  teacherHandout,
  teacherIssuingCa,
  teacherNextStep,
  teacherSteps,
  untaggedReferenceIds,
  nextLabHost,
  teacherServerCertificate,
  type GuideFacts,
} from '../../../src-renderer/src/lib/start-guide';
import type { SessionSummary } from '../../../src-renderer/src/api/contract';
import { pkiCertificate, summary, verification } from './fixtures';

const root = pkiCertificate({ id: 1, name: 'Lab Root', kind: 'ca', subject: 'CN=Lab Root', isCa: true, selfSigned: true, issuerId: 1 });

function ca(issued: PkiCaNode['issued'] = [], overrides: Partial<PkiCaNode> = {}): PkiCaNode {
  return { ...root, children: [], issued, ...overrides };
}

const bank = pkiCertificate({ id: 2, name: 'www.bank32.com', subject: 'CN=www.bank32.com', subjectAltNames: ['DNS:www.bank32.com'], createdAt: 10,
  extendedKeyUsage: [{ name: 'serverAuth', oid: '1.3.6.1.5.5.7.3.1', meaning: 'TLS server' }] });

function tree(cas: PkiCaNode[]): PkiTree {
  return { cas, others: [], csrs: [], keyProtection: { encrypted: false, unlocked: true } } as unknown as PkiTree;
}

function facts(overrides: Partial<GuideFacts> = {}): GuideFacts {
  return { tree: tree([]), servers: [], serversElsewhere: 0, sessions: [], hosts: [], ...overrides };
}

function running(port = 4433): ServerInfo {
  return {
    id: 1, label: `127.0.0.1:${port}`, status: 'running', address: `127.0.0.1:${port}`, host: '127.0.0.1', port,
    config: { identity: { kind: 'lab', name: 'www.bank32.com' } },
    names: [{ name: null, certificate: { subjectAltNames: ['DNS:www.bank32.com'] }, chainLength: 2 }],
    startedAt: 0, stoppedAt: null, connections: 0, active: 0, failed: 0, error: null,
  } as unknown as ServerInfo;
}

const doneIds = (f: GuideFacts) => guideSteps(f).filter((s) => s.done).map((s) => s.id);

describe('the lab steps a data folder shows done', () => {
  it('has nothing done in an empty data folder, and the CA comes first', () => {
    const steps = guideSteps(facts());
    expect(steps.map((s) => s.id)).toEqual(['ca', 'certificate', 'server', 'hosts', 'client', 'broken', 'proxy']);
    expect(doneIds(facts())).toEqual([]);
    expect(nextStep(steps)).toBe('ca');
  });

  it('counts a CA only with its key, and a server certificate only when it can serve a name', () => {
    const keyless = ca([], { hasPrivateKey: false });
    expect(doneIds(facts({ tree: tree([keyless]) }))).toEqual([]);
    expect(doneIds(facts({ tree: tree([ca()]) }))).toEqual(['ca']);
    const clientOnly = pkiCertificate({ id: 3, name: 'alice', subjectAltNames: ['DNS:alice.lab'], extendedKeyUsage: [{ name: 'clientAuth', oid: '1.3.6.1.5.5.7.3.2', meaning: 'TLS client' }] });
    const wildcardOnly = pkiCertificate({ id: 4, name: 'wild', subjectAltNames: ['DNS:*.bank32.com'] });
    expect(doneIds(facts({ tree: tree([ca([clientOnly, wildcardOnly])]) }))).toEqual(['ca']);
    const steps = guideSteps(facts({ tree: tree([ca([bank])]) }));
    expect(steps.filter((s) => s.done).map((s) => s.id)).toEqual(['ca', 'certificate']);
    expect(steps[1].evidence).toBe('“www.bank32.com” for www.bank32.com');
    expect(nextStep(steps)).toBe('server');
  });

  it('takes a running server, one from a terminal, or a served session as the server step', () => {
    const base = { tree: tree([ca([bank])]) };
    expect(guideSteps(facts({ ...base, servers: [running()] }))[2]).toMatchObject({ done: true, evidence: '127.0.0.1:4433 is running' });
    expect(guideSteps(facts({ ...base, serversElsewhere: 1 }))[2]).toMatchObject({ done: true, evidence: 'a server runs from a terminal' });
    const served = summary({ id: 7, kind: 'server', verification: null });
    expect(guideSteps(facts({ ...base, sessions: [served] }))[2]).toMatchObject({ done: true, sessionId: 7 });
    const stopped = { ...running(), status: 'stopped' } as ServerInfo;
    expect(guideSteps(facts({ ...base, servers: [stopped] }))[2].done).toBe(false);
  });

  it('needs a verified client session for the client step and a failed check for the next', () => {
    const base = { tree: tree([ca([bank])]), servers: [running()] };
    const unverified = summary({ id: 3, verification: verification({ verifyPeer: false, chain: { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, accepted: true }) });
    let steps = guideSteps(facts({ ...base, sessions: [unverified] }));
    expect(steps.find((s) => s.id === 'client')!.done).toBe(false);
    // A session that went on though its chain did not verify (checks off) still showed the check failing.
    expect(steps.find((s) => s.id === 'broken')).toMatchObject({ done: true, sessionId: 3 });

    const verified = summary({ id: 4 });
    const wrongName = summary({ id: 5, status: 'failed', verification: verification({ hostname: { ok: false, hostname: '127.0.0.1', validNames: ['www.bank32.com'] }, accepted: false, summary: 'not verified: the name does not match' }) });
    steps = guideSteps(facts({ ...base, sessions: [wrongName, verified] }));
    expect(steps.find((s) => s.id === 'client')).toMatchObject({ done: true, sessionId: 4, evidence: 'session #4, verified' });
    expect(steps.find((s) => s.id === 'broken')).toMatchObject({ done: true, evidence: 'session #5: not verified: the name does not match' });
    // The host table is optional: once later steps are done it is not "next".
    expect(nextStep(steps)).toBe('proxy');
    expect(guideSteps(facts({ ...base, sessions: [summary({ id: 9, kind: 'proxy' })] })).at(-1)).toMatchObject({ done: true, sessionId: 9 });
    // With everything else done, the optional step is what is left to do.
    expect(nextStep(guideSteps(facts({ ...base, sessions: [summary({ id: 9, kind: 'proxy' }), wrongName, verified] })))).toBe('hosts');
  });

  it('says nothing is next once every step is done', () => {
    const all = facts({
      tree: tree([ca([bank])]),
      servers: [running()],
      hosts: [{ name: 'WWW.bank32.com', address: '127.0.0.1' }],
      sessions: [summary({ id: 1 }), summary({ id: 2, verification: verification({ chain: { ok: false }, accepted: false }) }), summary({ id: 3, kind: 'proxy' })],
    });
    expect(doneIds(all)).toHaveLength(7);
    expect(nextStep(guideSteps(all))).toBeNull();
  });
});

describe('where the client steps point the form', () => {
  it('has nowhere to point before there is a server certificate', () => {
    expect(guideClientTarget(facts({ tree: tree([ca()]) }))).toBeNull();
  });

  it('points at the running server by its name, through its address, trusting its root CA', () => {
    const f = facts({ tree: tree([ca([bank])]), servers: [running(4555)] });
    const form = guideClientForm(guideClientTarget(f)!);
    expect(form).toMatchObject({ host: 'www.bank32.com', port: '4555', connectTo: '127.0.0.1', trustKind: 'lab', trustCa: 'Lab Root', verifyPeer: true, checkHostname: true });
  });

  it('leaves "connect to" empty once the host table holds the name, and uses the lab port with no server running', () => {
    const f = facts({ tree: tree([ca([bank])]), hosts: [{ name: 'www.bank32.com', address: '127.0.0.1' }] });
    expect(guideClientForm(guideClientTarget(f)!)).toMatchObject({ host: 'www.bank32.com', port: '4433', connectTo: '', trustCa: 'Lab Root' });
  });

  it('asks for the same server by its address for the failing check', () => {
    const f = facts({ tree: tree([ca([bank])]), servers: [running(4555)] });
    expect(guideBrokenForm(guideClientTarget(f)!)).toMatchObject({ host: '127.0.0.1', port: '4555', connectTo: '', trustCa: 'Lab Root', checkHostname: true });
  });
});

describe('the proxy step', () => {
  it('signs with the CA, takes the lab server as the real site by its name, and checks it against its CA', () => {
    const form = guideProxyForm(facts({ tree: tree([ca([bank])]), servers: [running(4555)] }), 'Lab Root');
    expect(form).toMatchObject({ ca: 'Lab Root', map: 'www.bank32.com=127.0.0.1:4555', upstreamTrust: 'lab', upstreamLab: 'Lab Root', mode: 'transparent' });
  });

  it('leaves the map empty with no server running', () => {
    expect(guideProxyForm(facts({ tree: tree([ca([bank])]) }), 'Lab Root')).toMatchObject({ ca: 'Lab Root', map: '' });
  });
});

describe('the Start here route', () => {
  it('is #/start both ways', () => {
    expect(parseRoute('#/start')).toEqual({ name: 'start' });
    expect(routeHash({ name: 'start' })).toBe('#/start');
  });

  it('keeps the teacher path in the link, and the Sessions list filtered by a tag', () => {
    expect(parseRoute('#/start/teacher')).toEqual({ name: 'start', teacher: true });
    expect(routeHash({ name: 'start', teacher: true })).toBe('#/start/teacher');
    expect(parseRoute('#/sessions?tag=lab-1')).toEqual({ name: 'sessions', tag: 'lab-1' });
    expect(routeHash({ name: 'sessions', tag: 'lab 1&x' })).toBe('#/sessions?tag=lab%201%26x');
    expect(parseRoute(routeHash({ name: 'sessions', tag: 'lab 1&x' }))).toEqual({ name: 'sessions', tag: 'lab 1&x' });
    expect(parseRoute('#/sessions?tag=')).toEqual({ name: 'sessions' });
    expect(parseRoute('#/sessions')).toEqual({ name: 'sessions' });
  });
});

const tagged = (s: SessionSummary, ...tags: string[]) => ({ ...s, name: null, tags });

describe("the teacher's path: a lab prepared once and handed out", () => {
  const teacherDone = (f: GuideFacts) => teacherSteps(f).filter((s) => s.done).map((s) => s.id);
  const step = (f: GuideFacts, id: string) => teacherSteps(f).find((s) => s.id === id)!;
  const intermediate = ca([], { id: 5, name: 'Lab Issuing', subject: 'CN=Lab Issuing', selfSigned: false, issuerId: 1, createdAt: 5 });
  const example = pkiCertificate({ id: 6, name: 'www.example32.com', subject: 'CN=www.example32.com', subjectAltNames: ['DNS:www.example32.com'], createdAt: 20 });

  it('starts at the root CA, with the export and the students never ticked', () => {
    const steps = teacherSteps(facts());
    expect(steps.map((s) => s.id)).toEqual(['root', 'intermediate', 'certificates', 'reference', 'tag', 'handout', 'students']);
    expect(steps.filter((s) => !s.tracked).map((s) => s.id)).toEqual(['handout', 'students']);
    expect(teacherDone(facts())).toEqual([]);
    expect(teacherNextStep(steps)).toBe('root');
  });

  it('counts the intermediate under its root, and issues from it when there is one', () => {
    expect(teacherIssuingCa(tree([ca()]))).toBe('Lab Root');
    const f = facts({ tree: tree([ca([], { children: [intermediate] })]) });
    expect(teacherDone(f)).toEqual(['root', 'intermediate']);
    expect(step(f, 'intermediate').evidence).toBe('“Lab Issuing” under “Lab Root”');
    expect(teacherIssuingCa(f.tree)).toBe('Lab Issuing');
    // An intermediate alone, without a root with its key here, is no lab root.
    expect(step(facts({ tree: tree([ca([], { hasPrivateKey: false, children: [intermediate] })]) }), 'root').done).toBe(false);
  });

  it('ticks the certificates at two server names, says which is missing before, and passes over the optional intermediate', () => {
    let f = facts({ tree: tree([ca([bank])]) });
    expect(step(f, 'certificates')).toMatchObject({ done: false, evidence: 'www.bank32.com; a second name is still missing' });
    expect(nextLabHost(f.tree)).toBe('www.example32.com');
    expect(nextLabHost(tree([ca()]))).toBe('www.bank32.com');
    f = facts({ tree: tree([ca([bank, example])]) });
    expect(step(f, 'certificates')).toMatchObject({ done: true, evidence: 'www.bank32.com, www.example32.com' });
    // The lab server presents www.bank32.com's, though the second name is newer.
    expect(teacherServerCertificate(f.tree)?.name).toBe('www.bank32.com');
    expect(teacherNextStep(teacherSteps(f))).toBe('reference');
  });

  it('wants a verified session, a failed check and a proxy session, and a running server first', () => {
    const base = { tree: tree([ca([bank, example])]) };
    const verified = summary({ id: 4 });
    const wrongName = summary({ id: 5, status: 'failed', verification: verification({ hostname: { ok: false, hostname: '127.0.0.1', validNames: ['www.bank32.com'] }, accepted: false }) });
    const proxied = summary({ id: 9, kind: 'proxy' });
    expect(referenceAction(facts(base))).toBe('server');
    expect(referenceAction(facts({ ...base, servers: [running()] }))).toBe('client');
    let f = facts({ ...base, servers: [running()], sessions: [verified] });
    expect(step(f, 'reference')).toMatchObject({ done: false, evidence: 'still missing: failed check, through the proxy', sessions: [{ label: 'verified', id: 4 }] });
    expect(referenceAction(f)).toBe('broken');
    f = facts({ ...base, servers: [running()], sessions: [proxied, wrongName, verified] });
    expect(step(f, 'reference')).toMatchObject({
      done: true,
      evidence: null,
      sessions: [
        { label: 'verified', id: 4 },
        { label: 'failed check', id: 5 },
        { label: 'through the proxy', id: 9 },
      ],
    });
    expect(referenceAction(f)).toBeNull();
  });

  it('ticks the tag once it is on two sessions, names it, and then offers the hand-out of those sessions, oldest first', () => {
    const base = { tree: tree([ca([bank, example])]), servers: [running()] };
    const verified = summary({ id: 4 });
    const wrongName = summary({ id: 5, status: 'failed', verification: verification({ hostname: { ok: false, hostname: '127.0.0.1', validNames: ['www.bank32.com'] }, accepted: false }) });
    const proxied = summary({ id: 9, kind: 'proxy' });
    let f = facts({ ...base, sessions: [proxied, wrongName, tagged(verified, 'lab-1')] });
    expect(step(f, 'tag')).toMatchObject({ done: false, evidence: 'tag “lab-1” on 1 session; a hand-out needs two or more' });
    expect(teacherHandout(f.sessions)).toBeNull();
    expect(untaggedReferenceIds(f.sessions, 'lab-1')).toEqual([5, 9]);
    // The tag on the most sessions is the lab's.
    f = { ...f, sessions: [tagged(proxied, 'lab-1'), tagged(wrongName, 'lab-1'), tagged(verified, 'lab-1', 'mitm'), tagged(summary({ id: 2 }), 'mitm')] };
    expect(step(f, 'tag')).toMatchObject({ done: true, evidence: 'tag “lab-1” on 3 sessions' });
    expect(teacherHandout(f.sessions)).toEqual({ tag: 'lab-1', ids: [4, 5, 9] });
    // With every tracked step done but the optional intermediate, the hand-out is what comes next.
    expect(teacherNextStep(teacherSteps(f))).toBe('handout');
    expect(teacherSteps(f).filter((s) => s.tracked && !s.done).map((s) => s.id)).toEqual(['intermediate']);
  });
});
