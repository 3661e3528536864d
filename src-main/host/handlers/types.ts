// How a domain's command handlers and parameter schemas are typed: one map per domain, keyed by
// that domain's method names, so a missing or mistyped command is a compile error.
import type { z } from 'zod';
import type { Workbench } from '../../workbench';

export type Handlers<T extends { [K in keyof T]: { params: unknown; result: unknown } }> = {
  [M in keyof T]: (wb: Workbench, params: T[M]['params']) => T[M]['result'] | Promise<T[M]['result']>;
};

export type Schemas<T extends { [K in keyof T]: { params: unknown; result: unknown } }> = {
  [M in keyof T]: z.ZodType<T[M]['params']>;
};
