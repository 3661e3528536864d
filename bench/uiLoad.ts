// The window while a lab server is under load: the Servers view open in Chromium, 1500 handshakes
// against one server. Reports the server's handshakes per second with the window open against
// the same server with no window connected (side by side, alternating), the window's own CPU
// (Chromium's renderer task time) and the frames it received per connection, and how far behind
// the view was when the load ended (until it shows every connection).
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium';
import { startEngine } from '../src-main/host/engine';
import { ensureRenderer } from '../scripts/renderer.mjs';
import { makeServerPki } from '../test/support/serverPki';
import { run } from '../test/support/run';
import { median } from './stats';

const HANDSHAKES = 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LOAD = path.resolve('test/support/tlsLoad.mjs');

async function handshakes(port: number): Promise<number> {
  const out = await run(process.execPath, [LOAD, 'handshakes', '127.0.0.1', String(port), '16', String(HANDSHAKES)], { timeoutMs: 600_000 });
  if (out.code !== 0) throw new Error(`load generator failed: ${out.stderr}`);
  return (JSON.parse(out.stdout) as { perSecond: number }).perSecond;
}

/** Waits until the server card counts `total` connections; returns how long that took, in ms. */
async function caughtUp(page: Page, total: number): Promise<number> {
  const t = performance.now();
  const counts = page.getByTestId('server-counts').first();
  for (;;) {
    const text = await counts.innerText();
    const shown = Number(/^([\d,]+) connection/.exec(text)?.[1].replace(/,/g, '') ?? 0);
    if (shown >= total) return performance.now() - t;
    if (performance.now() - t > 600_000) throw new Error(`the view still shows "${text}" 10 minutes after the load`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchUiLoad(): Promise<void> {
  ensureRenderer({ quiet: true });
  const pki = await makeServerPki();
  const engine = await startEngine({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-uiload-')) });
  const browser = await launchChromium();
  try {
    const server = await engine.workbench.servers.start({ port: 0, label: 'Load', identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'builtin' } });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    let frames = 0;
    page.on('websocket', (ws) => ws.on('framereceived', () => frames++));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN);
    const open = async () => {
      await page.goto(engine.url);
      await page.getByTestId('nav-servers').click();
      await page.getByTestId('server-card').first().waitFor();
    };

    const alone: number[] = [];
    const watched: number[] = [];
    const lags: number[] = [];
    const windowMs: number[] = [];
    const framesPer: number[] = [];
    let total = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await page.goto('about:blank');
      alone.push(await handshakes(server.port));
      total += HANDSHAKES;

      await open();
      await caughtUp(page, total);
      const task = await taskSeconds();
      frames = 0;
      watched.push(await handshakes(server.port));
      total += HANDSHAKES;
      lags.push(await caughtUp(page, total));
      windowMs.push(((await taskSeconds()) - task) * 1000);
      framesPer.push(frames / HANDSHAKES);
      console.log(`round ${round + 1}: no window ${alone[round].toFixed(0)} hs/s, Servers view open ${watched[round].toFixed(0)} hs/s; the view caught up ${lags[round].toFixed(0)} ms after the load; window CPU ${(windowMs[round] / HANDSHAKES).toFixed(2)} ms per connection, ${framesPer[round].toFixed(2)} frames per connection`);
    }
    const a = median(alone);
    const w = median(watched);
    console.log(`handshakes/s with the Servers view open: ${w.toFixed(0)} against ${a.toFixed(0)} with no window (${((w / a) * 100).toFixed(0)}%); the view caught up ${median(lags).toFixed(0)} ms after the load (median of ${ROUNDS}); window CPU ${(median(windowMs) / HANDSHAKES).toFixed(2)} ms per connection`);
  } finally {
    await browser.close();
    await engine.close();
  }
}
