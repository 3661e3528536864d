// Writing what the workshop exports: every file is written beside its target under a temporary
// name and renamed into place only when all of them are written, so an error leaves nothing
// half written. Files that hold a private key get mode 0600 (set again with chmod, since the
// process umask or an existing file could otherwise decide). A target that is a link to a file is
// replaced where the link points, and the link stays, unless the link (or one on the way to it)
// belongs to another user; a target that is not a file at all (a terminal, a pipe, /dev/stdout)
// is written straight into, last, since it cannot be renamed over (unless another user owns it).
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

/** An output path of "-" means standard output, as the CLI's --out options say. */
export const STANDARD_OUTPUT = '-';

/** Someone other than this user and root: what they own, they may have placed to catch our output. */
function otherUser(uid: number): boolean {
  const me = process.getuid?.();
  return me !== undefined && uid !== me && uid !== 0;
}

/**
 * Refuses a path that leads through a link another user owns, as Linux's protected_symlinks does
 * in /tmp (it is often off, in containers and elsewhere, and the link is resolved here, not by
 * open): in a folder everyone can write to, another user could point it at any of the student's
 * files, which the write would then replace.
 */
function refuseForeignLinks(given: string, resolved: string): void {
  const parts = resolved.split(path.sep);
  for (let i = 2; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join(path.sep) || path.sep;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(prefix);
    } catch {
      return;
    }
    if (stat.isSymbolicLink() && otherUser(stat.uid)) {
      throw new WorkbenchError(
        'CANNOT_WRITE',
        `cannot write ${given}: ${prefix} is a link that belongs to another user (uid ${stat.uid}), who could point it at any of your files; the workbench does not follow it: remove the link or choose another path`,
      );
    }
  }
}

/** Where a file given as `given` is written: replaced in place (a file, or nothing yet) or written into (a device or pipe). */
function outputTarget(given: string): { target: string | number; stream: boolean } {
  if (given === STANDARD_OUTPUT) return { target: 1, stream: true };
  const resolved = path.resolve(given);
  refuseForeignLinks(given, resolved);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    return { target: resolved, stream: false };
  }
  if (stat.isDirectory()) throw new WorkbenchError('BAD_INPUT', `${given} is a folder; give a file name to write to`);
  if (!stat.isFile()) {
    // A named pipe someone else made reads back whatever is written into it (a private key, say).
    if (otherUser(stat.uid)) {
      throw new WorkbenchError(
        'CANNOT_WRITE',
        `cannot write ${given}: it is a pipe or device that belongs to another user (uid ${stat.uid}), who could read what goes into it; remove it or choose another path`,
      );
    }
    return { target: resolved, stream: true };
  }
  return { target: fs.realpathSync(resolved), stream: false };
}

/** Whether `given` names something other than a file (a terminal, a pipe, /dev/stdout), so that messages should not go there too. */
export function isStreamOutput(given: string): boolean {
  try {
    return outputTarget(given).stream;
  } catch {
    return false;
  }
}

/** Writes every file or none; returns where each went (a file's real path, or the path of a device; "-" for standard output). */
export function writeFilesAtomically(files: readonly OutputFile[]): string[] {
  const outputs = files.map((file) => ({ file, ...outputTarget(file.path) }));
  const targets = new Set<string | number>();
  for (const { file, target, stream } of outputs) {
    if (targets.has(target) && !stream) {
      throw new WorkbenchError('BAD_INPUT', `${file.path} is given for two outputs; give each output its own file`);
    }
    targets.add(target);
  }
  const staged: Array<{ temp: string; target: string }> = [];
  try {
    for (const { file, target, stream } of outputs) {
      if (stream || typeof target !== 'string') continue;
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
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
    for (const { file, target, stream } of outputs) {
      if (!stream) continue;
      try {
        if (target === 1) process.stdout.write(file.data);
        else fs.writeFileSync(target, file.data);
      } catch (error) {
        throw cannotWrite(file.path, error);
      }
    }
    for (const { temp, target } of staged) fs.renameSync(temp, target);
  } catch (error) {
    for (const { temp } of staged) fs.rmSync(temp, { force: true });
    throw error;
  }
  return outputs.map((output) => (typeof output.target === 'string' ? output.target : STANDARD_OUTPUT));
}

function cannotWrite(file: string, error: unknown): WorkbenchError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: its folder does not exist; create it or choose another path`);
  if (code === 'EACCES' || code === 'EPERM') return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: permission denied; choose a folder you can write to`);
  return new WorkbenchError('CANNOT_WRITE', `cannot write ${file}: ${(error as Error).message}`);
}

/**
 * Creates the folder (and its parents) for a trust folder export. A folder that someone else may
 * add files to is refused: a client given it (-CApath, capath=) trusts every certificate in it,
 * so another user could slip in their own CA.
 */
export function ensureFolder(dir: string): void {
  // Before mkdir, which would otherwise make folders wherever such a link points.
  refuseForeignLinks(dir, path.resolve(dir));
  try {
    // 0755 at most, whatever the umask: a folder made here is never one others may write to.
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw cannotWrite(dir, error);
  }
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) throw new WorkbenchError('BAD_INPUT', `${dir} is a file; give a folder for the trust links`);
  const others = otherUser(stat.uid) ? `it belongs to another user (uid ${stat.uid})` : process.platform !== 'win32' && stat.mode & 0o002 ? 'every user may write to it' : null;
  if (others) {
    throw new WorkbenchError(
      'CANNOT_WRITE',
      `cannot use ${dir} as a trust folder: ${others}, so someone else could add their own CA to it and a client given this folder would trust it; choose a folder of your own (such as ~/tlslab-trust)`,
    );
  }
}
