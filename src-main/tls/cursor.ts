// A bounds-checked reader over TLS wire bytes, in the spirit of Go's cryptobyte.
// Every read names the field it reads so a failure can say what was being read and where.
// Offsets are absolute: a cursor made for a message knows where that message starts in its stream.

/** A decode failure: which field, at which absolute offset, and what was wrong. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';

  constructor(
    /** The field being read, e.g. "ClientHello.cipher_suites". */
    readonly field: string,
    /** Absolute offset where the read was attempted. */
    readonly offset: number,
    /** What went wrong, without the field name. */
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }

  static shortRead(field: string, offset: number, needed: number, left: number): DecodeError {
    const unit = needed === 1 ? 'byte' : 'bytes';
    return new DecodeError(field, offset, `need ${needed} ${unit} at offset ${offset}, ${left} left`);
  }
}

/** Length prefix widths used by TLS vectors (RFC 8446, Section 3.4). */
export type LengthPrefix = 1 | 2 | 3;

export class Cursor {
  private pos = 0;

  /**
   * @param data the bytes to read (the cursor never reads outside them)
   * @param origin absolute offset of data[0] in the enclosing stream, used in error messages
   */
  constructor(
    private readonly data: Uint8Array,
    readonly origin = 0,
  ) {}

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.origin + this.pos;
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }

  get empty(): boolean {
    return this.pos >= this.data.length;
  }

  private need(n: number, field: string): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new DecodeError(field, this.offset, `invalid length ${n} at offset ${this.offset}`);
    }
    if (n > this.remaining) throw DecodeError.shortRead(field, this.offset, n, this.remaining);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.data[this.pos++];
  }

  u16(field: string): number {
    this.need(2, field);
    const d = this.data;
    const p = this.pos;
    this.pos += 2;
    return (d[p] << 8) | d[p + 1];
  }

  u24(field: string): number {
    this.need(3, field);
    const d = this.data;
    const p = this.pos;
    this.pos += 3;
    return (d[p] << 16) | (d[p + 1] << 8) | d[p + 2];
  }

  u32(field: string): number {
    this.need(4, field);
    const d = this.data;
    const p = this.pos;
    this.pos += 4;
    return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
  }

  /** The next n bytes, as a view (no copy). */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything left, as a view. */
  rest(): Uint8Array {
    const out = this.data.subarray(this.pos);
    this.pos = this.data.length;
    return out;
  }

  /** A length-prefixed opaque vector's body (RFC 8446, Section 3.4). */
  opaque(prefix: LengthPrefix, field: string): Uint8Array {
    const length = this.lengthPrefix(prefix, field);
    return this.bytes(length, field);
  }

  /** A length-prefixed vector as a sub-cursor positioned on its body; this cursor skips past it. */
  vector(prefix: LengthPrefix, field: string): Cursor {
    const length = this.lengthPrefix(prefix, field);
    const start = this.offset;
    return new Cursor(this.bytes(length, field), start);
  }

  /** Fails unless every byte has been read: trailing bytes mean the lengths do not agree. */
  expectEnd(field: string): void {
    if (this.remaining > 0) {
      const unit = this.remaining === 1 ? 'byte' : 'bytes';
      throw new DecodeError(field, this.offset, `${this.remaining} unexpected trailing ${unit} at offset ${this.offset}`);
    }
  }

  /** Throws a DecodeError for `field` at the current offset. */
  fail(field: string, detail: string): never {
    throw new DecodeError(field, this.offset, detail);
  }

  private lengthPrefix(prefix: LengthPrefix, field: string): number {
    if (prefix === 1) return this.u8(field);
    if (prefix === 2) return this.u16(field);
    return this.u24(field);
  }
}
