// Replay commands: handlers and parameter schemas.
import { z } from 'zod';
import type { ReplayMethods } from '../../api/replayMethods';
import type { ReplayTlsOverrides } from '../../api/replayTypes';
import type { TrustStoreSpec } from '../../api/types';
import { identity } from './servers';
import type { Handlers, Schemas } from './types';

const id = z.number().int().positive();
const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
const trust: z.ZodType<TrustStoreSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system') }),
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'give the path of the PEM file') }),
  z.object({ kind: z.literal('dir'), path: z.string().min(1, 'give the path of the hash-link folder') }),
  z.object({ kind: z.literal('lab'), name: z.string().min(1, 'give the name of a workshop CA') }),
]);
const overrides: z.ZodType<ReplayTlsOverrides> = z
  .object({
    servername: z.string().max(255).optional(),
    minVersion: tlsVersion.optional(),
    maxVersion: tlsVersion.optional(),
    ciphers: z.string().max(2000).optional(),
    alpn: z.array(z.string().min(1).max(255)).max(20).optional(),
    trust: trust.optional(),
    verifyPeer: z.boolean().optional(),
    checkHostname: z.boolean().optional(),
    clientKeyPassphrase: z.string().max(1024).optional(),
    clientCertificate: identity.optional(),
  })
  .strict();

export const REPLAY_HANDLERS: Handlers<ReplayMethods> = {
  'replay.client': (wb, request) => wb.replay.replayClient(request),
  'replay.servers.start': (wb, request) => wb.replay.startServer(request),
  'replay.servers.stop': (wb, { id }) => wb.replay.stopServer(id),
  'replay.servers.list': (wb) => wb.replay.list(),
};

export const REPLAY_SCHEMAS: Schemas<ReplayMethods> = {
  'replay.client': z
    .object({
      id,
      connection: z.number().int().min(1, 'connections are numbered from 1').optional(),
      to: z.string().max(300).optional(),
      tls: overrides.optional(),
      timeoutMs: z.number().int().positive().max(600_000).optional(),
    })
    .strict(),
  'replay.servers.start': z
    .object({
      ids: z.array(id).min(1, 'give at least one session to serve').max(1000),
      listen: z.string().max(300).optional(),
      ca: z.string().min(1, 'choose the workshop CA that forges the certificates'),
      unmatched: z.enum(['404', '502', 'close'], { message: 'unmatched requests are answered with 404, 502 or close' }).optional(),
      ignoreHost: z.boolean().optional(),
      ignoreBody: z.boolean().optional(),
      label: z.string().max(200).optional(),
    })
    .strict(),
  'replay.servers.stop': z.object({ id }),
  'replay.servers.list': z.object({}).strict() as z.ZodType<Record<string, never>>,
};
