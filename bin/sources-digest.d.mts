/** The digest of the engine's TypeScript sources under `root`/src-main (the Electron shell left out). */
export function sourcesDigest(root: string): string;
