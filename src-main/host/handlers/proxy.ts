// The man-in-the-middle proxy's commands: handlers and parameter schemas.
import { z } from 'zod';
import type { ProxyMethods } from '../../api/proxyMethods';
import type { ProxyConfig, ProxyHostMapping, ProxyRewriteRule } from '../../api/proxyTypes';
import type { TrustStoreSpec } from '../../api/types';
import type { Handlers, Schemas } from './types';

const trustStore: z.ZodType<TrustStoreSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system') }),
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'give the path of the PEM file') }),
  z.object({ kind: z.literal('dir'), path: z.string().min(1, 'give the path of the hash-link folder') }),
  z.object({ kind: z.literal('lab'), name: z.string().min(1, 'give the name of the workbench CA') }),
]);

const rewriteRule: z.ZodType<ProxyRewriteRule> = z.object({
  direction: z.enum(['request', 'response']),
  find: z.string().min(1, 'give the text to find'),
  replace: z.string(),
  regex: z.boolean().optional(),
  flags: z.string().regex(/^[imsuy]*$/, 'regular expression flags are i, m, s, u, y').optional(),
  parts: z.array(z.enum(['body', 'url', 'headers'])).optional(),
});

const mapping: z.ZodType<ProxyHostMapping> = z.object({ host: z.string().min(1), address: z.string().min(1) });

const proxyConfig: z.ZodType<ProxyConfig> = z.object({
  label: z.string().max(200).optional(),
  mode: z.enum(['transparent', 'connect', 'both']).optional(),
  listen: z.string().optional(),
  connectListen: z.string().optional(),
  ca: z.string().min(1, 'choose the CA that signs the forged certificates'),
  map: z.array(mapping).max(1024).optional(),
  dns: z.boolean().optional(),
  upstreamTrust: trustStore.optional(),
  upstreamInsecure: z.boolean().optional(),
  rewrite: z.array(rewriteRule).max(256).optional(),
  recordCapBytes: z.number().int().min(0).optional(),
  handshakeTimeoutMs: z.number().int().positive().max(600_000).optional(),
});

const proxyId = z.object({ id: z.number().int().positive() });

export const PROXY_HANDLERS: Handlers<ProxyMethods> = {
  'proxies.list': (wb) => wb.proxies.list(),
  'proxies.start': (wb, { config }) => wb.proxies.start(config),
  'proxies.stop': (wb, { id }) => wb.proxies.stop(id),
  'proxies.remove': (wb, { id }) => wb.proxies.remove(id),
  'proxies.connections': (wb) => wb.proxies.connections(),
};

export const PROXY_SCHEMAS: Schemas<ProxyMethods> = {
  'proxies.list': z.object({}).strict() as z.ZodType<Record<string, never>>,
  'proxies.start': z.object({ config: proxyConfig }),
  'proxies.stop': proxyId,
  'proxies.remove': proxyId,
  'proxies.connections': z.object({}).strict() as z.ZodType<Record<string, never>>,
};
