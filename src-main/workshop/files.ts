// Writing what the workshop exports: every file is written beside its target under a temporary
// name and renamed into place only when all of them are written, so an error leaves nothing
// half written. Files that hold a private key get mode 0600 (set again with chmod, since the
// process umask or an existing file could otherwise decide).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkbenchError } from '../errors';

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
  /** Holds a private key: mode 0600. */
  secret: boolean;
}

export function writeFilesAtomically(files: readonly OutputFile[]): string[] {
  const targets = new Set<string>();
  for (const file of files) {
    const resolved = path.resolve(file.path);
    if (targets.has(resolved)) {
      throw new WorkbenchError('BAD_INPUT', `${file.path} is given for two outputs; give each output its own file`);
    }
    targets.add(resolved);
  }
  const staged: Array<{ temp: string; target: string }> = [];
  try {
    for (const file of files) {
      const target = path.resolve(file.path);
      const dir = path.dirname(target);
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        throw new WorkbenchError('BAD_INPUT', `${file.path} is a folder; give a file name to write to`);
      }
      const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
      const mode = file.secret ? 0o600 : 0o644;
      try {
        fs.writeFileSync(temp, file.data, { mode, flag: 'wx' });
        fs.chmodSync(temp, mode);
      } catch (error) {
        fs.rmSync(temp, { force: true });
        throw cannotWrite(file.path, error);
      }
      staged.push({ temp, target });
    }
    for (const { temp, target } of staged) fs.renameSync(temp, target);
  } catch (error) {
    for (const { temp } of staged) fs.rmSync(temp, { force: true });
    throw error;
  }
  return staged.map((entry) => entry.target);
}

function cannotWrite(file: string, error: unknown): WorkbenchError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: its folder does not exist; create it or choose another path`);
  if (code === 'EACCES' || code === 'EPERM') return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: permission denied; choose a folder you can write to`);
  return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: ${(error as Error).message}`);
}

/** Creates the folder (and its parents) for a trust folder export. */
export function ensureFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw cannotWrite(dir, error);
  }
  if (!fs.statSync(dir).isDirectory()) throw new WorkbenchError('BAD_INPUT', `${dir} is a file; give a folder for the trust links`);
}
