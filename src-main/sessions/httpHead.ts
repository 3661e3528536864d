// Where an HTTP/1.x head ends, and its lines. HTTP ends lines with CRLF, but RFC 9112 (2.2) lets
// a recipient take a bare LF as a line end, and students type requests into `openssl s_client`,
// which sends LF alone unless given -crlf: the servers here accept both.

/** `end`: where the head's last line ends; `next`: just past the blank line after it. Null while the head is incomplete. */
export function findHeadEnd(bytes: Uint8Array, from = 0): { end: number; next: number } | null {
  for (let i = bytes.indexOf(10, from); i >= 0; i = bytes.indexOf(10, i + 1)) {
    const end = i > from && bytes[i - 1] === 13 ? i - 1 : i;
    if (bytes[i + 1] === 10) return { end, next: i + 2 };
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return { end, next: i + 3 };
  }
  return null;
}

/** The lines of a head (without its blank line), CRLF or LF alone. */
export function headLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Whether some line of the head ended in LF alone. */
export function hasBareLf(head: Uint8Array): boolean {
  for (let i = head.indexOf(10); i >= 0; i = head.indexOf(10, i + 1)) if (i === 0 || head[i - 1] !== 13) return true;
  return false;
}
