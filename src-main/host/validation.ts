// Every command's parameters are checked here before they reach the workbench: the renderer is
// trusted code, but a frame is still input, and a bad one gets a clear error, not a crash.
import { z } from 'zod';
import type { ApiMethodName, ApiMethods, ApiParams, CoreMethods } from '../api/methods';
import type { ClientSessionRequest, HostEntry, TrustStoreSpec, ClientPayload } from '../api/types';
import { WorkbenchError } from '../errors';
import { DECRYPT_SCHEMAS } from './handlers/decrypt';
import { EXCHANGE_SCHEMAS } from './handlers/exchange';
import { PKI_SCHEMAS } from './handlers/pki';
import { PROXY_SCHEMAS } from './handlers/proxy';
import { RECORD_SCHEMAS } from './handlers/records';
import { REPLAY_SCHEMAS } from './handlers/replay';
import { SERVER_SCHEMAS, identity } from './handlers/servers';
import type { Schemas } from './handlers/types';

const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

const trustStore: z.ZodType<TrustStoreSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system') }),
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'give the path of the PEM file') }),
  z.object({ kind: z.literal('dir'), path: z.string().min(1, 'give the path of the hash-link folder') }),
  z.object({ kind: z.literal('lab'), name: z.string().min(1) }),
]);

const payload: z.ZodType<ClientPayload> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('http-get'), path: z.string() }),
  z.object({ kind: z.literal('text'), text: z.string() }),
]);

const clientRequest: z.ZodType<ClientSessionRequest> = z.object({
  host: z.string(),
  port: z.number(),
  connectTo: z.string().optional(),
  trust: trustStore,
  verifyPeer: z.boolean(),
  checkHostname: z.boolean(),
  servername: z.string().optional(),
  minVersion: tlsVersion.optional(),
  maxVersion: tlsVersion.optional(),
  ciphers: z.string().optional(),
  alpn: z.array(z.string()).optional(),
  send: payload,
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  clientCertificate: identity.optional(),
});

const hostEntry: z.ZodType<HostEntry> = z.object({ name: z.string(), address: z.string() });
const none = z.object({}).strict();

const CORE_SCHEMAS: Schemas<CoreMethods> = {
  'engine.about': none as z.ZodType<Record<string, never>>,
  'client.run': clientRequest,
  'sessions.list': z.object({ limit: z.number().int().positive().max(100_000).optional() }),
  'sessions.get': z.object({ id: z.number().int().positive() }),
  'sessions.otherEnds': z.object({ id: z.number().int().positive() }),
  'hosts.list': none as z.ZodType<Record<string, never>>,
  'hosts.set': hostEntry,
  'hosts.remove': z.object({ name: z.string() }),
};

const SCHEMAS: Schemas<ApiMethods> = { ...CORE_SCHEMAS, ...PKI_SCHEMAS, ...SERVER_SCHEMAS, ...PROXY_SCHEMAS, ...DECRYPT_SCHEMAS, ...RECORD_SCHEMAS, ...EXCHANGE_SCHEMAS, ...REPLAY_SCHEMAS };

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && Object.hasOwn(SCHEMAS, name);
}

/**
 * The first key of `input` (at any depth) that the parsed `output` lacks: a parameter no schema
 * knows. Zod drops such keys without a word, and an option the engine never reads is a feature
 * that silently does nothing (a checkbox whose key a schema forgot).
 */
function unknownKey(input: unknown, output: unknown, path: string[] = []): string | null {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let i = 0; i < input.length; i++) {
      const found = unknownKey(input[i], output[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(input) || !plain(output)) return null;
  for (const key of Object.keys(input)) {
    if (input[key] === undefined) continue;
    if (!Object.hasOwn(output, key)) return [...path, key].join('.');
    const found = unknownKey(input[key], output[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

export function validateParams<M extends ApiMethodName>(method: M, params: unknown): ApiParams<M> {
  const result = (SCHEMAS[method] as z.ZodType<ApiParams<M>>).safeParse(params ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new WorkbenchError('BAD_INPUT', `invalid parameters for ${method}: ${where}${issue.message}`);
  }
  const unknown = unknownKey(params ?? {}, result.data);
  if (unknown) throw new WorkbenchError('BAD_INPUT', `invalid parameters for ${method}: ${unknown}: no such parameter`);
  return result.data;
}
