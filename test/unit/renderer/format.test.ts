import { describe, expect, it } from 'vitest';
import {
  cipherPieces,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatFingerprint,
  formatHexLines,
  formatListTime,
  formatOffsetMs,
  formatVersionHex,
  plural,
  runningNotice,
  serviceCount,
  startHint,
} from '../../../src-renderer/src/lib/format';

describe('formatting for the screen', () => {
  it('shows offsets inside a session in ms with three decimals', () => {
    expect(formatOffsetMs(0)).toBe('0.000');
    expect(formatOffsetMs(12.34567)).toBe('12.346');
  });

  it('shows durations in the unit a person would use', () => {
    expect(formatDuration(4.25)).toBe('4.3 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2400)).toBe('2.40 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(-1)).toBe('—');
  });

  it('shows local times unambiguously', () => {
    const t = new Date(2025, 10, 25, 9, 3, 7).getTime();
    expect(formatDateTime(t)).toBe('2025-11-25 09:03:07');
    expect(formatListTime(t, new Date(2025, 10, 25, 18, 0, 0).getTime())).toBe('09:03:07');
    expect(formatListTime(t, new Date(2025, 10, 26, 8, 0, 0).getTime())).toBe('2025-11-25 09:03');
  });

  it('counts bytes', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(517)).toBe('517 bytes');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(4 * 1024 * 1024)).toBe('4.00 MiB');
  });

  it('writes protocol versions and fingerprints as hex', () => {
    expect(formatVersionHex(0x0303)).toBe('0x0303');
    expect(formatFingerprint('ab01ff')).toBe('AB:01:FF');
    expect(formatFingerprint('AB:01:FF')).toBe('AB:01:FF');
    expect(formatHexLines('000102030405', 4)).toEqual(['00 01 02 03', '04 05']);
  });

  it('agrees nouns with numbers', () => {
    expect(plural(1, 'certificate')).toBe('1 certificate');
    expect(plural(3, 'certificate')).toBe('3 certificates');
  });
});

describe('the count above the servers and proxies', () => {
  it('says nothing while there are none, and counts the stopped ones apart', () => {
    // It read "0 running · 0 in this engine" above an empty page.
    expect(serviceCount(0, 0)).toBe('');
    expect(serviceCount(1, 1)).toBe('1 running');
    expect(serviceCount(1, 3)).toBe('1 running · 2 stopped');
    expect(serviceCount(0, 2)).toBe('0 running · 2 stopped');
  });
});

describe('a cipher suite name in a narrow column', () => {
  it('breaks over a few lines at its separators, not one line per word', () => {
    expect(cipherPieces('TLS_AES_256_GCM_SHA384')).toEqual(['TLS_AES_', '256_GCM_', 'SHA384']);
    expect(cipherPieces('ECDHE-RSA-AES128-GCM-SHA256')).toEqual(['ECDHE-RSA-', 'AES128-', 'GCM-SHA256']);
    expect(cipherPieces('TLS_CHACHA20_POLY1305_SHA256')).toEqual(['TLS_', 'CHACHA20_', 'POLY1305_', 'SHA256']);
    expect(cipherPieces('AES128-SHA')).toEqual(['AES128-SHA']);
    expect(cipherPieces('TLS_AES_256_GCM_SHA384').join('')).toBe('TLS_AES_256_GCM_SHA384');
  });
});

describe('the notice above the servers and proxies', () => {
  it('says "Started ..." only while that one runs, and the empty list points at what is on screen', () => {
    const notice = { id: 2, text: 'Started a server on 127.0.0.1:4433.' };
    expect(runningNotice(notice, [{ id: 2, status: 'running' }])).toBe(notice.text);
    expect(runningNotice(notice, [{ id: 2, status: 'stopped' }])).toBeNull();
    expect(runningNotice(notice, [{ id: 1, status: 'running' }])).toBeNull();
    expect(runningNotice(null, [{ id: 2, status: 'running' }])).toBeNull();
    expect(startHint(true, 'server')).toBe('Fill in the form above');
    expect(startHint(false, 'proxy')).toBe('Choose “Start a new proxy” above');
  });
});
