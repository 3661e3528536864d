// Replaying a session the man-in-the-middle proxy recorded: curl (the victim) fetched a page
// through the proxy from a Python upstream. The replay must go where the proxy's upstream leg
// went (the mapped address), not to the name and port the victim asked for.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReplay } from '../../src-main/cli/replayCommands';
import { finishedProxySessions, openProxyLab, portOf, startLabProxy, type ProxyLab } from '../support/proxyPeers';

let lab: ProxyLab;

beforeAll(async () => {
  lab = await openProxyLab('tlslab-replay-proxy-');
});

afterAll(async () => {
  await lab?.close();
});

describe('replay of a proxy session', () => {
  it('sends the victim request again to the upstream the proxy reached, and compares the answers', async () => {
    const proxy = await startLabProxy(lab, { mode: 'transparent' });
    const port = portOf(proxy.transparentAddress);
    // The proxy runs in this process: curl must not block its event loop.
    await promisify(execFile)('curl', ['-s', '--http1.1', '--cacert', lab.wbCa, '--resolve', `www.example.com:${port}:127.0.0.1`, `https://www.example.com:${port}/`]);
    const [session] = await finishedProxySessions(lab.wb, proxy);
    await lab.wb.proxies.stop(proxy.id);
    const before = lab.upstream.requests().length;

    const result = await lab.wb.replay.replayClient({ id: session.id });
    expect(result.error).toBeNull();
    expect(result.connectTo).toBe(`127.0.0.1:${lab.upstream.port}`);
    expect(lab.upstream.requests().length).toBe(before + 1);
    expect(result.replayed.httpStatus).toBe('HTTP/1.1 200 OK');
    expect(formatReplay(result)).toContain(`(via 127.0.0.1:${lab.upstream.port}): session ${result.replayId} ok`);
  });
});
