// A workbench database damaged past its first page: the header and schema read fine, the
// sessions table does not. Opening the folder says it is damaged and what to do, as a damaged header does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';

describe('a damaged workbench database', () => {
  it('is named damaged, with what to do, when its sessions cannot be read', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-damaged-'));
    const file = path.join(dataDir, 'workbench.sqlite');
    await new Workbench({ dataDir }).close();
    // Garbage over the sessions table's first page, the rest intact.
    const db = new Database(file);
    const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'sessions'`).get() as { rootpage: number };
    db.close();
    const pageSize = fs.readFileSync(file).readUInt16BE(16);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (rootpage - 1) * pageSize);
    fs.closeSync(fd);
    let message = '';
    try {
      await new Workbench({ dataDir }).close();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the workbench database .*workbench\.sqlite is damaged \(.*\); nothing in the folder was changed\. Keep the folder as it is/);
    expect(message).toContain('.recover');
  });
});
