// What the workbench says when its database cannot be opened because better-sqlite3, native code
// built by npm for one Node.js version, is loaded by another (a different node on PATH, or a
// desktop package built elsewhere): the versions, and the command that fixes it.
import { describe, expect, it } from 'vitest';
import { openFailure } from '../../src-main/store/database';

describe('opening the database with a better-sqlite3 built for another Node.js', () => {
  it('names both module versions and says to rebuild, not to pick another data folder', () => {
    // The error Node raises for a native module of another ABI (process.dlopen).
    const err = Object.assign(
      new Error(
        "The module '/opt/tlslab/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
          'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\n' +
          'NODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).',
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const message = openFailure('/home/student/.tlslab', '/home/student/.tlslab/workbench.sqlite', err);
    expect(message).toContain('better-sqlite3 (it was built for Node.js module version 115; this Node.js');
    expect(message).toContain('needs 127');
    expect(message).toContain('npm rebuild better-sqlite3');
    expect(message).toContain('nothing in /home/student/.tlslab was touched');
    expect(message).not.toContain('--data-dir');
  });

  it('a native module that does not load for another reason still says what to do', () => {
    const err = Object.assign(new Error('libc.so.6: version `GLIBC_2.38\' not found'), { code: 'ERR_DLOPEN_FAILED' });
    const message = openFailure('/d', '/d/workbench.sqlite', err);
    expect(message).toContain('cannot load its SQLite module, better-sqlite3: libc.so.6');
    expect(message).toContain('npm rebuild better-sqlite3');
  });
});
