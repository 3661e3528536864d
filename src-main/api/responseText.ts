// How a client session's response reads as text: its HTTP head apart from its body, and whether
// the body is text at all. Shared by the CLI's report and the window's Response panel, so that a
// binary body (an image, a random file) is never dumped into a terminal or a page as garbage.
import type { ApplicationResponse } from './types';

export interface ResponseText {
  /** The status line and headers, when the response is HTTP; else null. */
  head: string | null;
  /** What follows the head (the whole response when it is not HTTP). */
  body: string;
  /** The body is not text: bytes that are not UTF-8, or control characters a terminal acts on. */
  binary: boolean;
}

/** C0 controls other than tab, line feed and carriage return, and DEL (ESC among them). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Decoding bytes that are not UTF-8 leaves U+FFFD. */
const NOT_UTF8 = '\ufffd';

/**
 * Splits the response (as recorded: its first MiB, decoded as UTF-8) into head and body and says
 * whether the body is binary. A body cut off at the first MiB may end inside a character: up to
 * three replacement characters at its very end do not make it binary.
 */
export function responseText(response: Pick<ApplicationResponse, 'text' | 'truncated'>): ResponseText {
  const text = response.text;
  let head: string | null = null;
  let body = text;
  if (/^HTTP\/\d(\.\d)? \d{3}/.test(text)) {
    const end = text.indexOf('\r\n\r\n');
    head = end < 0 ? text : text.slice(0, end);
    body = end < 0 ? '' : text.slice(end + 4);
  }
  const inspected = response.truncated ? body.replace(/\ufffd{1,3}$/, '') : body;
  return { head, body, binary: inspected.includes(NOT_UTF8) || CONTROL.test(inspected) };
}
