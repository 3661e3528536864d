// The TLS servers' commands: handlers and parameter schemas.
import type { ServerMethods } from '../../api/serverMethods';
import type { Handlers, Schemas } from './types';

export const SERVER_HANDLERS: Handlers<ServerMethods> = {};

export const SERVER_SCHEMAS: Schemas<ServerMethods> = {};
