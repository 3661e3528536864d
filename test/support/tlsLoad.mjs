// A TLS load generator run as its own process (so it never shares an event loop with the server
// it measures). Prints one JSON line with what happened.
//   node tlsLoad.mjs requests HOST PORT CONNECTIONS REQUESTS_PER_CONNECTION [CAFILE]
//   node tlsLoad.mjs handshakes HOST PORT CONCURRENCY TOTAL
//   node tlsLoad.mjs download HOST PORT PATH
import tls from 'node:tls';
import fs from 'node:fs';

const [mode, host, portText, a, b, caFile] = process.argv.slice(2);
const port = Number(portText);
const ca = caFile ? [fs.readFileSync(caFile, 'utf8')] : undefined;
const connectOptions = { host, port, servername: 'localhost', ca, rejectUnauthorized: Boolean(ca), minVersion: 'TLSv1.3' };

function connect() {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(connectOptions, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads HTTP/1.1 responses (Content-Length bodies) off one socket, in order. */
function responses(socket) {
  let buffer = Buffer.alloc(0);
  const waiting = [];
  const parse = () => {
    while (waiting.length) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const status = Number(head.slice(9, 12));
      buffer = buffer.subarray(end + 4 + length);
      waiting.shift().resolve({ status, bytes: length });
    }
  };
  socket.on('data', (d) => {
    buffer = buffer.length ? Buffer.concat([buffer, d]) : d;
    parse();
  });
  socket.on('close', () => waiting.splice(0).forEach((w) => w.reject(new Error('closed'))));
  return () => new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    parse();
  });
}

async function requests(connections, perConnection) {
  let ok = 0;
  let failed = 0;
  const errors = new Set();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, async () => {
    try {
      const socket = await connect();
      const next = responses(socket);
      for (let i = 0; i < perConnection; i++) {
        socket.write(`GET / HTTP/1.1\r\nHost: localhost\r\n${i === perConnection - 1 ? 'Connection: close\r\n' : ''}\r\n`);
        const r = await next();
        if (r.status === 200) ok++;
        else failed++;
      }
      socket.end();
    } catch (err) {
      failed++;
      errors.add(err.code ?? err.message);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ok, failed, errors: [...errors], seconds };
}

async function handshakes(concurrency, total) {
  let done = 0;
  let failed = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++;
      try {
        const socket = await connect();
        await new Promise((resolve) => {
          socket.once('close', resolve);
          socket.end();
        });
        done++;
      } catch {
        failed++;
      }
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { done, failed, seconds, perSecond: done / seconds };
}

async function download(path) {
  const started = process.hrtime.bigint();
  const socket = await connect();
  let bytes = 0;
  socket.on('data', (d) => (bytes += d.length));
  socket.write(`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`);
  await new Promise((resolve) => socket.once('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { bytes, seconds, megabytesPerSecond: bytes / 1048576 / seconds };
}

const result =
  mode === 'requests' ? await requests(Number(a), Number(b))
  : mode === 'handshakes' ? await handshakes(Number(a), Number(b))
  : await download(a);
process.stdout.write(`${JSON.stringify(result)}\n`);
