// The engine's malloc settings (src-main/engineMalloc.ts): added to an environment on Linux, a
// user's own GLIBC_TUNABLES kept and winning, nothing on other systems; and the pid a command is
// known by when it started itself again.
import { describe, expect, it } from 'vitest';
import { commandPid, hasEngineMalloc, withEngineMalloc } from '../../src-main/engineMalloc';

const ENGINE = 'glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=134217728';

describe("the engine's malloc settings", () => {
  it('go into GLIBC_TUNABLES on Linux, and nowhere else', () => {
    expect(withEngineMalloc({ PATH: '/usr/bin' }, 'linux')).toEqual({ PATH: '/usr/bin', GLIBC_TUNABLES: ENGINE });
    const mac = { PATH: '/usr/bin' };
    expect(withEngineMalloc(mac, 'darwin')).toBe(mac);
    expect(withEngineMalloc(mac, 'win32')).toBe(mac);
  });

  it("keep a user's own tunables, and a threshold the user chose wins over the engine's", () => {
    expect(withEngineMalloc({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES).toBe(`glibc.malloc.arena_max=2:${ENGINE}`);
    expect(withEngineMalloc({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=4194304');
  });

  it('are in force once both thresholds are set, whoever set them', () => {
    expect(hasEngineMalloc({ GLIBC_TUNABLES: ENGINE }, 'linux')).toBe(true);
    expect(hasEngineMalloc({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1:glibc.malloc.trim_threshold=2' }, 'linux')).toBe(true);
    expect(hasEngineMalloc({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=4194304' }, 'linux')).toBe(false);
    expect(hasEngineMalloc({}, 'linux')).toBe(false);
    expect(hasEngineMalloc({}, 'darwin')).toBe(true);
  });
});

describe('the pid a command is known by', () => {
  it('is the launcher that waits for this process, and only when that launcher is its parent', () => {
    expect(commandPid({ TLSLAB_LAUNCHER_PID: String(process.ppid) })).toBe(process.ppid);
    expect(commandPid({})).toBe(process.pid);
    // A variable inherited from further up (a relaunched command that started another tlslab) is not this one's.
    expect(commandPid({ TLSLAB_LAUNCHER_PID: String(process.ppid + 1) })).toBe(process.pid);
    expect(commandPid({ TLSLAB_LAUNCHER_PID: 'x' })).toBe(process.pid);
  });
});
