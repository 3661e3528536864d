// "Start here": which of the lab's steps a data folder shows done, which comes next, and where the
// client steps point the form.
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
  type GuideFacts,
} from '../../../src-renderer/src/lib/start-guide';
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
});
