// The record inspector's command: handler and parameter schema.
import { z } from 'zod';
import type { RecordMethods } from '../../api/recordMethods';
import type { Handlers, Schemas } from './types';

const id = z.number().int().positive();

export const RECORD_HANDLERS: Handlers<RecordMethods> = {
  'sessions.records': async (wb, params) => {
    // Records still on their way to the database belong in the page.
    await wb.writer.written();
    return wb.records.page(params);
  },
};

export const RECORD_SCHEMAS: Schemas<RecordMethods> = {
  'sessions.records': z.object({
    id,
    connectionId: id.optional(),
    from: z.number().int().positive().optional(),
    limit: z.number().int().positive().max(5000, 'ask for at most 5000 records at a time').optional(),
    detail: z.boolean().optional(),
  }),
};
