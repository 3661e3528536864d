// What every live connections table (servers, proxies) needs of a row; each service adds its own columns.
import type { ApiErrorInfo } from '../api/contract';
import type { OutcomeTone } from './outcome';

export interface ConnectionRowBase {
  sessionId: number;
  at: number;
  tone: OutcomeTone;
  outcome: string;
  error: ApiErrorInfo | null;
  /** The alert the peer sent to end the handshake, by name, when that is why it failed. */
  alert: string | null;
  /** The error in a few words for the list; the whole message goes in its tooltip. */
  problem: string | null;
}
