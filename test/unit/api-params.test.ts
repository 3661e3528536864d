// The engine refuses a parameter it does not know, at any depth. Zod would drop it without a word,
// and an option the engine never reads is a control that silently does nothing: this stop's
// "Accept partial chains" box was lost that way twice. What the renderer's forms send must pass.
import { describe, expect, it } from 'vitest';
import { validateParams } from '../../src-main/host/validation';
import { defaultClientForm, validateClientForm } from '../../src-renderer/src/lib/client-form';
import { defaultProxyForm, validateProxyForm } from '../../src-renderer/src/lib/proxy-form';
import { defaultServerForm, validateServerForm } from '../../src-renderer/src/lib/server-form';

describe('engine API parameters', () => {
  it('a key no schema knows is one clear error, top-level or nested', () => {
    expect(() => validateParams('hosts.set', { name: 'www.bank32.com', address: '127.0.0.1', ttl: 60 })).toThrow('invalid parameters for hosts.set: ttl: no such parameter');
    const request = { host: 'www.bank32.com', port: 443, trust: { kind: 'system', path: '/tmp/ca.pem' }, verifyPeer: true, checkHostname: true, send: { kind: 'none' } };
    expect(() => validateParams('client.run', request)).toThrow('invalid parameters for client.run: trust.path: no such parameter');
    expect(() => validateParams('pki.verify', { certificateId: 1, trust: { kind: 'system' }, partialChains: true })).toThrow('partialChains: no such parameter');
  });

  it('takes every key a schema knows, and keys left undefined', () => {
    expect(validateParams('pki.verify', { certificateId: 1, trust: { kind: 'system' }, partialChain: true, hostname: undefined })).toMatchObject({ partialChain: true });
    // Every key of the request type goes through: a replay of a capture's second connection.
    expect(validateParams('replay.client', { id: 3, connection: 2 })).toEqual({ id: 3, connection: 2 });
    expect(() => validateParams('replay.client', { id: 3, connection: 0 })).toThrow('connections are numbered from 1');
  });

  it("what the client, server and proxy forms send passes as it is", () => {
    const client = validateClientForm({ ...defaultClientForm(), host: 'www.bank32.com', port: '4433', connectTo: '127.0.0.1', trustKind: 'file', trustPath: '/tmp/ca.pem', alpn: 'http/1.1', ciphers: 'DEFAULT', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    if (!client.ok) throw new Error(JSON.stringify(client.errors));
    expect(validateParams('client.run', client.request)).toEqual(client.request);
    const serverForm = defaultServerForm();
    serverForm.identity.labName = 'www.bank32.com';
    const server = validateServerForm(serverForm);
    if (!server.ok) throw new Error(JSON.stringify(server.errors));
    expect(validateParams('servers.start', { config: server.config })).toEqual({ config: server.config });
    const proxy = validateProxyForm({ ...defaultProxyForm(), ca: 'Lab MITM CA', mode: 'both', listen: '127.0.0.1:0', connectListen: '127.0.0.1:0' });
    if (!proxy.ok) throw new Error(JSON.stringify(proxy.errors));
    expect(validateParams('proxies.start', { config: proxy.config })).toEqual({ config: proxy.config });
  });
});
