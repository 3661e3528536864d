// A file a person names that cannot be read gets one sentence that says why and what to do, with
// a code, in place of Node's system-call wording; the same through the CLI's session import.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src-main/errors';
import { readUserFile } from '../../src-main/userFiles';
import { tlslabInProcess } from '../support/cliInProcess';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-user-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function refusal(read: () => unknown): WorkbenchError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbenchError);
    return error as WorkbenchError;
  }
  throw new Error('the read did not fail');
}

/** A sparse file just over Node's 2 GiB limit for one read (no disk space used). */
function hugeFile(name: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, 2 ** 31 + 1);
  return file;
}

describe('readUserFile', () => {
  it('names a missing file, a folder and a path through a file, each with what to do', () => {
    const missing = refusal(() => readUserFile(path.join(tmp, 'nope.pem'), 'certificate file'));
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toBe(`the certificate file ${path.join(tmp, 'nope.pem')} does not exist; check the path`);
    const folder = refusal(() => readUserFile(tmp, 'key file', { folderHint: 'give the PEM file inside it' }));
    expect(folder.code).toBe('FILE_IS_FOLDER');
    expect(folder.message).toBe(`the key file ${tmp} is a folder; give the PEM file inside it`);
    fs.writeFileSync(path.join(tmp, 'plain'), 'x');
    const through = refusal(() => readUserFile(path.join(tmp, 'plain', 'ca.pem'), 'trust file'));
    expect(through.code).toBe('FILE_NOT_FOUND');
    expect(through.message).toContain('a part of its path is a file, not a folder');
  });

  it('says a file over 2 GiB is too large, with the caller\'s advice, not Node\'s "File size (...) is greater than 2 GiB"', () => {
    const big = hugeFile('big.pcapng');
    const e = refusal(() => readUserFile(big, 'capture file', { tooLargeHint: 'cut it first' }));
    expect(e.code).toBe('FILE_TOO_LARGE');
    expect(e.message).toBe(`the capture file ${big} is over 2 GiB, more than the workbench reads in one piece; cut it first`);
  });

  it.skipIf(process.getuid?.() === 0)('says a file it may not read is a matter of permissions (skipped as root, who may read anything)', () => {
    const locked = path.join(tmp, 'locked.key');
    fs.writeFileSync(locked, 'secret', { mode: 0o000 });
    const e = refusal(() => readUserFile(locked, 'key file'));
    expect(e.code).toBe('FILE_UNREADABLE');
    expect(e.message).toBe(`the key file ${locked} cannot be read (permission denied); check its owner and mode`);
  });
});

describe('tlslab sessions import', () => {
  it('refuses a capture over 2 GiB in one line that says how to cut it', async () => {
    const big = hugeFile('huge.pcapng');
    const out = await tlslabInProcess(path.join(tmp, 'data'), ['sessions', 'import', big]);
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain(`the file ${big} is over 2 GiB`);
    expect(out.stderr).toContain('tshark -r FILE');
  });
});
