export const ROOT: string;
export function rendererIsStale(): boolean;
export function buildRenderer(options?: { quiet?: boolean; outDir?: string | null }): void;
export function ensureRenderer(options?: { quiet?: boolean }): void;
export function buildNodeProblem(version?: string): string | null;
