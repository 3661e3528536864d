import type { BuildOptions } from 'esbuild';

export const ENGINE_DIR: string;
export function engineBundleOptions(entryPoints: Record<string, string>, outdir: string): BuildOptions;
export function buildEngine(): Promise<void>;
