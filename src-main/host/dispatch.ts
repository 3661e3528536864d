// One table from command names to the workbench: the typed map makes a missing or mistyped
// command a compile error.
import type { ApiMethodName, ApiMethods, ApiParams, ApiResult, CoreMethods } from '../api/methods';
import type { Workbench } from '../workbench';
import { DECRYPT_HANDLERS } from './handlers/decrypt';
import { EXCHANGE_HANDLERS } from './handlers/exchange';
import { PKI_HANDLERS } from './handlers/pki';
import { PROXY_HANDLERS } from './handlers/proxy';
import { RECORD_HANDLERS } from './handlers/records';
import { REPLAY_HANDLERS } from './handlers/replay';
import { SERVER_HANDLERS } from './handlers/servers';
import type { Handlers } from './handlers/types';

const CORE_HANDLERS: Handlers<CoreMethods> = {
  'engine.about': (wb) => wb.about(),
  'client.run': (wb, request) => wb.runClient(request),
  'sessions.list': (wb, { limit }) => wb.listSessions(limit),
  'sessions.get': (wb, { id }) => wb.session(id),
  'sessions.otherEnds': (wb, { id }) => wb.otherEnds(id),
  'hosts.list': (wb) => wb.listHosts(),
  'hosts.set': (wb, entry) => wb.setHost(entry),
  'hosts.remove': (wb, { name }) => wb.removeHost(name),
};

const HANDLERS: Handlers<ApiMethods> = { ...CORE_HANDLERS, ...PKI_HANDLERS, ...SERVER_HANDLERS, ...PROXY_HANDLERS, ...DECRYPT_HANDLERS, ...RECORD_HANDLERS, ...EXCHANGE_HANDLERS, ...REPLAY_HANDLERS };

export function dispatch<M extends ApiMethodName>(wb: Workbench, method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
  const handler = HANDLERS[method] as (wb: Workbench, params: ApiParams<M>) => ApiResult<M> | Promise<ApiResult<M>>;
  return Promise.resolve(handler(wb, params));
}
