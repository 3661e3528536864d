// Reading a file a person named (a capture, a key, a certificate, a passphrase file): one place
// that says, in words, why it could not be read. Node's own messages name system calls
// ("EACCES: permission denied, open ...") or limits ("File size (3221225472) is greater than 2 GiB").
import fs from 'node:fs';
import { WorkbenchError } from './errors';

export interface UserFileOptions {
  /** What to do instead when the path is a folder (default: give the file inside it). */
  folderHint?: string;
  /** What to do with a file over Node's 2 GiB limit for one read. */
  tooLargeHint?: string;
  /** Error codes in place of FILE_NOT_FOUND, FILE_IS_FOLDER, FILE_UNREADABLE, FILE_TOO_LARGE. */
  codes?: Partial<Record<'missing' | 'folder' | 'unreadable' | 'tooLarge', string>>;
}

/** The error to report for `error`, met reading the user's file `file` (`what` names it: "capture file"). */
export function userFileError(error: unknown, file: string, what: string, options: UserFileOptions = {}): WorkbenchError {
  const code = (error as NodeJS.ErrnoException).code;
  const codes = options.codes ?? {};
  switch (code) {
    case 'ENOENT':
      return new WorkbenchError(codes.missing ?? 'FILE_NOT_FOUND', `the ${what} ${file} does not exist; check the path`);
    case 'EISDIR':
      return new WorkbenchError(codes.folder ?? 'FILE_IS_FOLDER', `the ${what} ${file} is a folder; ${options.folderHint ?? 'give the file inside it'}`);
    case 'EACCES':
    case 'EPERM':
      return new WorkbenchError(codes.unreadable ?? 'FILE_UNREADABLE', `the ${what} ${file} cannot be read (permission denied); check its owner and mode`);
    case 'ENOTDIR':
      return new WorkbenchError(codes.missing ?? 'FILE_NOT_FOUND', `the ${what} ${file} does not exist: a part of its path is a file, not a folder; check the path`);
    case 'ERR_FS_FILE_TOO_LARGE':
    case 'ERR_STRING_TOO_LONG': {
      const limit = code === 'ERR_FS_FILE_TOO_LARGE' ? 'over 2 GiB, more than the workbench reads in one piece' : 'over 512 MiB, more than the workbench reads as text';
      return new WorkbenchError(codes.tooLarge ?? 'FILE_TOO_LARGE', `the ${what} ${file} is ${limit}; ${options.tooLargeHint ?? 'give a smaller file'}`);
    }
  }
  return new WorkbenchError(codes.unreadable ?? 'FILE_UNREADABLE', `cannot read the ${what} ${file}: ${(error as Error).message}`);
}

export function readUserFile(file: string, what: string, options?: UserFileOptions): Buffer;
export function readUserFile(file: string, what: string, options: UserFileOptions, encoding: BufferEncoding): string;
export function readUserFile(file: string, what: string, options: UserFileOptions = {}, encoding?: BufferEncoding): Buffer | string {
  try {
    return encoding ? fs.readFileSync(file, encoding) : fs.readFileSync(file);
  } catch (error) {
    throw userFileError(error, file, what, options);
  }
}
