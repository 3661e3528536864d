// Where the workbench keeps its database: --data-dir, else $TLSLAB_HOME, else the platform's
// per-user application data folder. The GUI and the CLI resolve it the same way.
import os from 'node:os';
import path from 'node:path';

const FOLDER_NAME = 'tls-lab-workbench';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), FOLDER_NAME);
  }
  if (platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', FOLDER_NAME);
  }
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), FOLDER_NAME);
}

export function resolveDataDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.TLSLAB_HOME) return path.resolve(env.TLSLAB_HOME);
  return defaultDataDir(env);
}
