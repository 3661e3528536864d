// The certificate workshop's commands: handlers and parameter schemas.
import type { PkiMethods } from '../../api/pkiMethods';
import type { Handlers, Schemas } from './types';

export const PKI_HANDLERS: Handlers<PkiMethods> = {};

export const PKI_SCHEMAS: Schemas<PkiMethods> = {};
