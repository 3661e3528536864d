// Opens one recorded session as a freshly started engine would, and prints what it cost as JSON:
// run by bench/largeSession.ts in its own process so that the memory figure is the engine's alone.
import { Workbench } from '../src-main/workbench';

const [dataDir, idText] = process.argv.slice(2);
const id = Number(idText);
const rssBefore = process.memoryUsage().rss;
const wb = new Workbench({ dataDir });
const t0 = performance.now();
const detail = await wb.session(id);
const t1 = performance.now();
const page = await wb.records.page({ id, from: 1, limit: 100 });
const t2 = performance.now();
const rssAfter = process.memoryUsage().rss;
const records = detail.connections.reduce((n, c) => n + c.timeline.filter((e) => e.kind === 'record').length, 0);
process.stdout.write(`${JSON.stringify({ records, detailMs: t1 - t0, pageMs: t2 - t1, rssBefore, rssAfter, pageJsonBytes: JSON.stringify(page).length })}\n`);
await wb.close();
