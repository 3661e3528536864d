// Where the project's own files are (package.json, resources/, dist-renderer/), whether the engine
// runs from its TypeScript sources (through tsx) or from the bundle `npm run build` writes to
// dist-engine/, one folder down from the project like src-main/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by esbuild in the bundle (scripts/build.mjs): the project folder, relative to the bundle's. */
declare const TLSLAB_BUNDLED_ROOT: string | undefined;

/** True in dist-engine's bundle, false when running the sources. */
export const BUNDLED = typeof TLSLAB_BUNDLED_ROOT === 'string';

/** The project folder: this file is src-main/paths.ts, or part of dist-engine/cli.mjs. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), typeof TLSLAB_BUNDLED_ROOT === 'string' ? TLSLAB_BUNDLED_ROOT : '..');
