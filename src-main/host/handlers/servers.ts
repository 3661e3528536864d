// The TLS servers' commands: handlers and parameter schemas.
import { z } from 'zod';
import type { ServerMethods } from '../../api/serverMethods';
import type { ClientCaSpec, ServerConfig, ServerIdentitySpec, ServerResponder, SniHostConfig } from '../../api/serverTypes';
import { listRunningElsewhere } from '../../store/runningElsewhere';
import type { Handlers, Schemas } from './types';

const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
const builtinPage = z.enum(['bank32', 'plain']);

/** A certificate, key and chain: PEM files, or a certificate of the workshop. */
export const identity: z.ZodType<ServerIdentitySpec> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('files'),
    certPath: z.string().min(1, 'give the path of the certificate file'),
    keyPath: z.string().min(1, 'give the path of the key file'),
    chainPath: z.string().min(1).optional(),
    keyPassphrase: z.string().optional(),
  }),
  z.object({ kind: z.literal('lab'), name: z.string().min(1, 'give the name of the lab identity') }),
]);

const clientCa: z.ZodType<ClientCaSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'give the path of the CA file') }),
  z.object({ kind: z.literal('lab'), name: z.string().min(1, 'give the name of the lab CA') }),
]);

const responder: z.ZodType<ServerResponder> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), page: builtinPage.optional() }),
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  z.object({ kind: z.literal('dir'), path: z.string().min(1) }),
  z.object({ kind: z.literal('echo') }),
  z.object({ kind: z.literal('fixed'), response: z.string() }),
  z.object({ kind: z.literal('plain'), greeting: z.string().optional() }),
]);

const sniHost: z.ZodType<SniHostConfig> = z.object({ name: z.string().min(1), identity, page: builtinPage.optional() });

const serverConfig: z.ZodType<ServerConfig> = z.object({
  label: z.string().max(200).optional(),
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  identity,
  sni: z.array(sniHost).max(256).optional(),
  clientAuth: z.object({ ca: clientCa, require: z.boolean() }).nullable().optional(),
  minVersion: tlsVersion.optional(),
  maxVersion: tlsVersion.optional(),
  ciphers: z.string().optional(),
  ciphersuites: z.string().optional(),
  groups: z.string().optional(),
  tickets: z.boolean().optional(),
  alpn: z.array(z.string().min(1)).optional(),
  handshakeTimeoutMs: z.number().int().positive().max(600_000).optional(),
  responder: responder.optional(),
});

const serverId = z.object({ id: z.number().int().positive() });

export const SERVER_HANDLERS: Handlers<ServerMethods> = {
  'servers.list': (wb) => wb.servers.list(),
  'servers.start': (wb, { config }) => wb.servers.start(config),
  'servers.stop': (wb, { id }) => wb.servers.stop(id),
  'servers.restart': (wb, { id, config }) => wb.servers.restart(id, config),
  'servers.remove': (wb, { id }) => wb.servers.remove(id),
  // Terminals' commands only: a window's own services are in its lists, not this card's.
  'servers.elsewhere': (wb) => listRunningElsewhere(wb.dataDir).filter((entry) => entry.origin === 'terminal'),
};

export const SERVER_SCHEMAS: Schemas<ServerMethods> = {
  'servers.list': z.object({}).strict() as z.ZodType<Record<string, never>>,
  'servers.start': z.object({ config: serverConfig }),
  'servers.stop': serverId,
  'servers.restart': z.object({ id: z.number().int().positive(), config: serverConfig.optional() }),
  'servers.remove': serverId,
  'servers.elsewhere': z.object({}).strict() as z.ZodType<Record<string, never>>,
};
