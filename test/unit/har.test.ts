// HAR bodies: text only when the bytes are UTF-8, whatever the server declared; else base64, so
// that the bytes come back exactly.
import { describe, expect, it } from 'vitest';
import { harEntries } from '../../src-main/export/har';

function exchange(contentType: string, body: Buffer) {
  const request = Buffer.from('GET /f HTTP/1.1\r\nHost: www.bank32.com\r\n\r\n');
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
  const [entry] = harEntries({
    connection: '1',
    leg: 'client',
    serverAddress: '127.0.0.1:4433',
    host: 'www.bank32.com',
    segments: [
      { direction: 'client-to-server', time: 1, data: request },
      { direction: 'server-to-client', time: 2, data: Buffer.concat([head, body]) },
    ],
  });
  return entry.response.content;
}

describe('a HAR response body', () => {
  it('is text when it is UTF-8', () => {
    expect(exchange('text/html; charset=utf-8', Buffer.from('<p>héllo</p>'))).toMatchObject({ text: '<p>héllo</p>', size: 13 });
    expect(exchange('text/html', Buffer.from('<p>x</p>')).encoding).toBeUndefined();
  });

  it('is base64 when binary, even labelled text/plain (as openssl s_server -WWW labels every file), and gives back the exact bytes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x1b, 0x5b]);
    const content = exchange('text/plain', bytes);
    expect(content.encoding).toBe('base64');
    expect(Buffer.from(content.text!, 'base64').equals(bytes)).toBe(true);
  });

  it('is base64 when it is text in another charset (Latin-1), so no byte is replaced', () => {
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    const content = exchange('text/html; charset=iso-8859-1', latin1);
    expect(content.encoding).toBe('base64');
    expect(Buffer.from(content.text!, 'base64').equals(latin1)).toBe(true);
  });
});
