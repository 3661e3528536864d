// The one door to the shared engine contract; everything in the renderer imports it from here.
export type * from '../../../src-main/api/types';
export type * from '../../../src-main/api/pkiTypes';
export type * from '../../../src-main/api/serverTypes';
export type * from '../../../src-main/api/proxyTypes';
export type {
  ApiMethods,
  ApiMethodName,
  ApiParams,
  ApiResult,
  ApiEvents,
  ApiEventName,
  RequestFrame,
  ResponseFrame,
  EventFrame,
  ServerFrame,
} from '../../../src-main/api/methods';
export { API_SOCKET_PATH } from '../../../src-main/api/methods';
export { caFileHint, serverTryCommand, replayTryCommand } from '../../../src-main/api/tryIt';
export { clientRequestFate } from '../../../src-main/api/clientRequest';
export { untrustedRoot } from '../../../src-main/api/untrustedRoot';
export { importOriginWords } from '../../../src-main/api/importOrigin';
export { responseText } from '../../../src-main/api/responseText';
export type * from '../../../src-main/api/decryptTypes';
export type * from '../../../src-main/api/recordTypes';
export type * from '../../../src-main/api/replayTypes';
export type * from '../../../src-main/api/exchangeTypes';
