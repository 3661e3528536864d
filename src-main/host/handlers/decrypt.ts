// Key material and decryption commands: handlers and parameter schemas.
import { z } from 'zod';
import type { DecryptMethods } from '../../api/decryptMethods';
import type { Handlers, Schemas } from './types';

const id = z.number().int().positive();
const serverKeyPath = z.string().min(1, "give the path of the server's PEM private key").optional();
const ticketKey = z.boolean().optional();

export const DECRYPT_HANDLERS: Handlers<DecryptMethods> = {
  'sessions.keys': (wb, params) => wb.sessionKeys(params),
  'sessions.decrypt': (wb, params) => wb.decryptSession(params),
};

export const DECRYPT_SCHEMAS: Schemas<DecryptMethods> = {
  'sessions.keys': z.object({ id, connectionId: id.optional(), serverKeyPath, ticketKey }),
  'sessions.decrypt': z.object({
    id,
    connectionId: id.optional(),
    fromRecord: z.number().int().positive().optional(),
    limit: z.number().int().positive().max(100_000).optional(),
    serverKeyPath,
    ticketKey,
  }),
};
