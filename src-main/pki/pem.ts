// PEM text (RFC 7468): labelled base64 blocks, many to a file, with the optional RFC 1421
// headers of legacy encrypted keys ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...").
import { PkiError } from './errors.js';

export interface PemBlock {
  /** "CERTIFICATE", "PRIVATE KEY", "CERTIFICATE REQUEST", ... */
  label: string;
  /** RFC 1421 headers, e.g. { "Proc-Type": "4,ENCRYPTED" }; empty for most blocks. */
  headers: Record<string, string>;
  der: Uint8Array;
  /** The block's text, BEGIN and END lines included. */
  text: string;
  /** 1-based line of the BEGIN line in the input. */
  line: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 #._/-]+)-----\s*$/;
const END = /^-----END ([A-Z0-9 #._/-]+)-----\s*$/;

/** True when the bytes are PEM text (a BEGIN line appears in the first few kilobytes). */
export function looksLikePem(input: string | Uint8Array): boolean {
  const text = typeof input === 'string' ? input : Buffer.from(input.subarray(0, 65536)).toString('latin1');
  return /-----BEGIN [A-Z0-9 #._/-]+-----/.test(text);
}

/**
 * Every PEM block in the text, in order; text between blocks (openssl's "subject=..." lines,
 * comments) is ignored. Throws NOT_PEM when a block is unterminated or its base64 is damaged.
 */
export function splitPem(input: string | Uint8Array): PemBlock[] {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i].trim());
    if (!begin) continue;
    const label = begin[1];
    const shown = shortLabel(label);
    const startLine = i;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let ended = false;
    for (i = i + 1; i < lines.length; i++) {
      const line = lines[i].trim();
      const end = END.exec(line);
      if (end) {
        if (end[1] !== label) {
          throw new PkiError(
            'NOT_PEM',
            `The PEM block "${shown}" that starts on line ${startLine + 1} ends with "END ${shortLabel(end[1])}" on line ${i + 1}. ` +
              'Two blocks were probably pasted into each other; copy each one whole.',
          );
        }
        ended = true;
        break;
      }
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && body.length === 0) headers[header[1]] = header[2];
      else if (line !== '') body.push(line);
    }
    if (!ended) {
      throw new PkiError(
        'NOT_PEM',
        `The PEM block "${shown}" that starts on line ${startLine + 1} has no "-----END ${shown}-----" line: ` +
          'the text was cut off. Copy the whole block, END line included.',
      );
    }
    const base64 = body.join('');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
      throw new PkiError(
        'NOT_PEM',
        `The PEM block "${shown}" on line ${startLine + 1} contains characters that are not base64, ` +
          'so it was damaged while copying (a line break inside a line, a stray character?). Copy it again.',
      );
    }
    blocks.push({
      label,
      headers,
      der: new Uint8Array(Buffer.from(base64, 'base64')),
      text: lines.slice(startLine, i + 1).join('\n') + '\n',
      line: startLine + 1,
    });
  }
  return blocks;
}

/** The labels of the blocks as a message lists them: each once, the first few, each cut short. */
export function labelList(blocks: readonly PemBlock[]): string {
  const labels = [...new Set(blocks.map((block) => shortLabel(block.label)))];
  return labels.length > 5 ? `${labels.slice(0, 5).join('", "')}" and ${labels.length - 5} more` : `${labels.join('", "')}"`;
}

/** A label as a message quotes it: its start, when a damaged file makes it run on for pages. */
export function shortLabel(label: string): string {
  return label.length > 60 ? `${label.slice(0, 60)}…` : label;
}

/** PEM text of one DER block, 64 base64 characters per line, as OpenSSL writes it. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}

/**
 * The DER of one object given either as PEM text (the first block with one of the labels) or
 * as DER bytes. `what` names the object in error messages ("certificate", "CSR").
 */
export function readDerOrPem(input: string | Uint8Array, labels: readonly string[], what: string): Uint8Array {
  if (typeof input !== 'string' && !looksLikePem(input)) {
    if (input.length === 0) {
      throw new PkiError('NOT_PEM', `The ${what} is empty: there is nothing to read. Check the file name.`);
    }
    return input;
  }
  const blocks = splitPem(input);
  const match = blocks.find((block) => labels.includes(block.label));
  if (match) return match.der;
  if (blocks.length > 0) {
    throw new PkiError(
      'NOT_PEM',
      `Expected a ${what} (a PEM block "BEGIN ${labels[0]}") but found "${labelList(blocks)}. ` +
        `Choose the file that holds the ${what}.`,
    );
  }
  throw new PkiError(
    'NOT_PEM',
    `This is not PEM: no "-----BEGIN ${labels[0]}-----" line was found. ` +
      `A ${what} is either PEM text with such a line or binary DER; this text is neither.`,
  );
}
