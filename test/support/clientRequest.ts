// The client session most integration tests run: an HTTP GET of / to a loopback server, by the
// name its certificate holds, trusting the test CA's file, with both checks on.
import type { ClientSessionRequest } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';

export function loopbackGet(host: string, port: number, caFile: string, overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest {
  return {
    host,
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: caFile },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: '/' },
    ...overrides,
  };
}

/** Records one client session into `dataDir` with a workbench of its own, closed after: the session the later commands work on. */
export async function recordInto(dataDir: string, request: ClientSessionRequest): Promise<number> {
  const wb = new Workbench({ dataDir });
  try {
    return await wb.recordClient(request);
  } finally {
    await wb.close();
  }
}
