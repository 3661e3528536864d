// CPU time next to wall time: the machine is shared and has 2 cores, so wall-clock rates are
// noisy; the CPU the engine process spent per handshake or per MB is not.
import fs from 'node:fs';
import type { BatchWriter } from '../src-main/sessions/recorder';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** This thread's CPU (user + system) in ms, or NaN where /proc/thread-self is missing. */
function mainThreadMs(): number {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** This process's CPU so far (every thread) and its main thread's, in ms: for a target in a process of its own. */
export function processCpuTotals(): { cpuMs: number; mainMs: number } {
  const usage = process.cpuUsage();
  return { cpuMs: (usage.user + usage.system) / 1000, mainMs: mainThreadMs() };
}

export interface CpuMark {
  wall: number;
  usage: NodeJS.CpuUsage;
  main: number;
  writer: number;
}

export interface CpuSpent {
  wallMs: number;
  /** The whole engine process (every thread). */
  cpuMs: number;
  mainMs: number;
  /** The recording writer thread, when a writer was given. */
  writerMs: number;
}

export async function cpuMark(writers: BatchWriter[] = []): Promise<CpuMark> {
  let writer = 0;
  for (const w of writers) writer += (await w.threadCpuMs?.()) ?? 0;
  return { wall: performance.now(), usage: process.cpuUsage(), main: mainThreadMs(), writer };
}

export async function cpuSince(mark: CpuMark, writers: BatchWriter[] = []): Promise<CpuSpent> {
  const usage = process.cpuUsage(mark.usage);
  const wallMs = performance.now() - mark.wall;
  let writer = 0;
  for (const w of writers) writer += (await w.threadCpuMs?.()) ?? 0;
  return { wallMs, cpuMs: (usage.user + usage.system) / 1000, mainMs: mainThreadMs() - mark.main, writerMs: writer - mark.writer };
}

export function cpuText(spent: CpuSpent, per: number, unit: string): string {
  const f = (ms: number) => (ms / per).toFixed(ms / per < 10 ? 2 : 1);
  const writer = spent.writerMs > 0 ? `, writer ${f(spent.writerMs)}` : '';
  return `CPU ms/${unit}: process ${f(spent.cpuMs)} (main thread ${f(spent.mainMs)}${writer})`;
}
