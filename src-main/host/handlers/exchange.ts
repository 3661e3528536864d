// Exchange and catalog commands: handlers and parameter schemas.
import { z } from 'zod';
import type { ExchangeMethods } from '../../api/exchangeMethods';
import type { SessionSearchQuery } from '../../api/exchangeTypes';
import type { Handlers, Schemas } from './types';

const id = z.number().int().positive();
const filePath = z.string().min(1, 'give a file path');
const tag = z.string().min(1).max(64);

export const EXCHANGE_HANDLERS: Handlers<ExchangeMethods> = {
  'sessions.export': async (wb, params) => {
    // What the recorder still holds belongs in the file.
    await wb.writer.written();
    return wb.exchange.exportRequest(params);
  },
  'sessions.import': (wb, params) => wb.exchange.importRequest(params),
  'sessions.delete': async (wb, { id }) => {
    await wb.writer.written();
    return wb.exchange.delete(id);
  },
  // Rows of running sessions may still be on their way to the database.
  'sessions.rename': async (wb, { id, name }) => {
    await wb.writer.written();
    return wb.exchange.rename(id, name);
  },
  'sessions.tag': async (wb, { id, add, remove }) => {
    await wb.writer.written();
    return wb.exchange.tag(id, add, remove);
  },
  'sessions.search': async (wb, query) => {
    await wb.writer.written();
    return wb.exchange.search(query);
  },
};

const searchQuery: z.ZodType<SessionSearchQuery> = z
  .object({
    host: z.string().optional(),
    version: z.string().optional(),
    cipher: z.string().optional(),
    outcome: z.enum(['running', 'ok', 'failed']).optional(),
    kind: z.enum(['client', 'server', 'proxy']).optional(),
    tags: z.array(tag).max(20).optional(),
    text: z.string().optional(),
    limit: z.number().int().positive().max(100_000).optional(),
  })
  .strict();

export const EXCHANGE_SCHEMAS: Schemas<ExchangeMethods> = {
  'sessions.export': z
    .object({
      id: id.optional(),
      ids: z.array(id).min(1, 'give at least one session id').max(1000).optional(),
      format: z.enum(['pcapng', 'keylog', 'har', 'pem', 'bundle'], { message: 'format is one of pcapng, keylog, har, pem, bundle' }),
      secrets: z.boolean().optional(),
      path: filePath.optional(),
    })
    .refine((p) => (p.id === undefined) !== (p.ids === undefined), { message: 'give the session to export as id, or several as ids, one of the two' }),
  'sessions.import': z
    .object({
      base64: z.string().optional(),
      path: filePath.optional(),
      fileName: z.string().max(300).optional(),
      keylogText: z.string().optional(),
      keylogFileName: z.string().max(300).optional(),
      keylogPath: filePath.optional(),
      again: z.boolean().optional(),
    })
    .refine((p) => (p.base64 === undefined) !== (p.path === undefined), { message: 'give the file either as base64 or as a path' }),
  'sessions.delete': z.object({ id }),
  'sessions.rename': z.object({ id, name: z.string().max(200).nullable() }),
  'sessions.tag': z.object({ id, add: z.array(tag).max(50).optional(), remove: z.array(tag).max(50).optional() }),
  'sessions.search': searchQuery,
};
