// One benchmark target in a process of its own, as the engine runs in one: started by server.ts
// with fork(), it builds the target its spec names (serverTargets.ts), reports its port, and
// answers the parent's questions over the IPC channel:
//   { ask: 'cpu' }  -> waits until what it keeps is written, then { cpu: { cpuMs, mainMs, writerMs, rssMb } }
//                      (totals since it started; the parent takes differences)
//   { ask: 'stop' } -> stops the target, then exits.
import { processCpuTotals } from './cpu';
import { buildTarget, type TargetSpec } from './serverTargets';

const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
const send = (message: unknown) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

const target = await buildTarget(spec);
process.on('message', (message: { ask?: string }) => {
  void (async () => {
    if (message.ask === 'cpu') {
      await target.settle();
      await send({ cpu: { ...processCpuTotals(), writerMs: await target.writerCpuMs(), rssMb: process.memoryUsage().rss / 1048576 } });
    } else if (message.ask === 'stop') {
      await target.stop();
      process.disconnect?.();
      process.exit(0);
    }
  })();
});
await send({ port: target.port });
