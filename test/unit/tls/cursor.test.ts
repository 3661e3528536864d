import { describe, expect, it } from 'vitest';
import { Cursor, DecodeError } from '../../../src-main/tls/cursor';

function caught(read: () => unknown): DecodeError {
  try {
    read();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw new Error(`expected a DecodeError, got ${String(error)}`);
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

describe('Cursor', () => {
  it('reads big-endian integers of 1, 2, 3 and 4 bytes, unsigned', () => {
    const c = new Cursor(Uint8Array.from([0x16, 0x03, 0x03, 0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xfe]));
    expect(c.u8('type')).toBe(0x16);
    expect(c.u16('version')).toBe(0x0303);
    expect(c.u24('length')).toBe(0x010203);
    expect(c.u32('lifetime')).toBe(0xfffffffe);
    expect(c.remaining).toBe(0);
    expect(c.empty).toBe(true);
  });

  it('names the field, the absolute offset and what was missing when a read runs short', () => {
    const c = new Cursor(new Uint8Array(44));
    c.bytes(43, 'ClientHello.head');
    const error = caught(() => c.u16('ClientHello.cipher_suites'));
    expect(error.message).toBe('ClientHello.cipher_suites: need 2 bytes at offset 43, 1 left');
    expect(error.field).toBe('ClientHello.cipher_suites');
    expect(error.offset).toBe(43);
    expect(error).toBeInstanceOf(Error);
  });

  it('reports offsets in the enclosing stream when it starts at an origin', () => {
    const c = new Cursor(Uint8Array.from([1, 2]), 100);
    expect(c.offset).toBe(100);
    c.u8('a');
    expect(c.offset).toBe(101);
    expect(caught(() => c.u24('b')).message).toBe('b: need 3 bytes at offset 101, 1 left');
  });

  it('reads vectors with 1-, 2- and 3-byte length prefixes as sub-cursors that keep absolute offsets', () => {
    const data = Uint8Array.from([2, 0xaa, 0xbb, 0, 1, 0xcc, 0, 0, 3, 7, 8, 9]);
    const c = new Cursor(data, 10);
    const v1 = c.vector(1, 'v1');
    expect(v1.offset).toBe(11);
    expect(Array.from(v1.bytes(2, 'v1.body'))).toEqual([0xaa, 0xbb]);
    expect(v1.empty).toBe(true);
    expect(Array.from(c.opaque(2, 'v2'))).toEqual([0xcc]);
    const v3 = c.vector(3, 'v3');
    expect(v3.remaining).toBe(3);
    expect(v3.offset).toBe(19);
    expect(c.empty).toBe(true);
  });

  it('refuses a vector whose length runs past the data, naming the vector', () => {
    const c = new Cursor(Uint8Array.from([0, 9, 1, 2]));
    expect(caught(() => c.vector(2, 'ClientHello.cipher_suites')).message).toBe(
      'ClientHello.cipher_suites: need 9 bytes at offset 2, 2 left',
    );
  });

  it('a sub-cursor cannot read past its vector even when the parent has more bytes', () => {
    const c = new Cursor(Uint8Array.from([1, 0xaa, 0xbb, 0xcc]));
    const v = c.vector(1, 'inner');
    v.u8('inner.first');
    expect(caught(() => v.u8('inner.second')).message).toBe('inner.second: need 1 byte at offset 2, 0 left');
    expect(c.u8('outer')).toBe(0xbb);
  });

  it('rejects negative and fractional lengths with a DecodeError, not a RangeError', () => {
    const c = new Cursor(new Uint8Array(4));
    expect(caught(() => c.bytes(-1, 'x')).field).toBe('x');
    expect(caught(() => c.bytes(1.5, 'y')).field).toBe('y');
    expect(c.remaining).toBe(4);
  });

  it('expectEnd says how many bytes were left over', () => {
    const c = new Cursor(new Uint8Array(3));
    c.u8('a');
    expect(caught(() => c.expectEnd('ServerHelloDone')).message).toBe(
      'ServerHelloDone: 2 unexpected trailing bytes at offset 1',
    );
    c.bytes(2, 'b');
    expect(() => c.expectEnd('ServerHelloDone')).not.toThrow();
  });

  it('bytes() returns views into the data, not copies', () => {
    const data = Uint8Array.from([1, 2, 3]);
    const view = new Cursor(data).bytes(2, 'x');
    data[0] = 9;
    expect(view[0]).toBe(9);
  });
});
