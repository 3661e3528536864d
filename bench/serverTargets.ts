// The servers the server benchmark measures, each built inside a process of its own
// (serverTargetProcess.ts): a bare Node TLS server, the same over the workbench's byte tap (the
// ceiling any recorder on Node's TLS can reach), the two floors of a recorder, and the workbench's
// recording server. Each answers like the recording server: the page, or big.bin read from the
// same file with the workbench's own file streaming, then close.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import net, { type AddressInfo } from 'node:net';
import { ByteTap } from '../src-main/sessions/byteTap';
import { streamFile } from '../src-main/sessions/serverResponders';
import { Workbench } from '../src-main/workbench';
import { floorFile } from './floorFile';
import { floorLog } from './floorLog';

export type TargetKind = 'bare' | 'tap' | 'floor-file' | 'floor-log' | 'recording' | 'recording-uncapped';

export interface TargetSpec {
  kind: TargetKind;
  cert: string;
  key: string;
  chain?: string;
  /** The folder served: big.bin and index.html. */
  www: string;
}

export interface BuiltTarget {
  port: number;
  /** Waits until what the target keeps is written (the recorder's writer thread). */
  settle(): Promise<void>;
  /** CPU the target's own writer thread spent so far, in ms (0 when it has none). */
  writerCpuMs(): Promise<number>;
  stop(): Promise<void>;
}

function answerHello(socket: tls.TLSSocket, big: string): void {
  socket.on('error', () => undefined);
  let head = '';
  socket.on('data', (d: Buffer) => {
    head += d.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    socket.removeAllListeners('data');
    if (head.startsWith('GET /big.bin')) {
      const size = fs.statSync(big).size;
      socket.write(`HTTP/1.0 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      streamFile(socket, big, size, () => socket.end());
      return;
    }
    const body = Buffer.from('<p>hello</p>');
    socket.write(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.end(body);
  });
}

const certPem = (spec: TargetSpec) => fs.readFileSync(spec.cert, 'utf8') + (spec.chain ? fs.readFileSync(spec.chain, 'utf8') : '');

async function listening(server: net.Server, cleanUp?: () => Promise<void>): Promise<BuiltTarget> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    settle: async () => undefined,
    writerCpuMs: async () => 0,
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await cleanUp?.();
    },
  };
}

/** A folder of the target's own for what it keeps, removed when it stops, as a recorder's data goes when it is done. */
function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function buildTarget(spec: TargetSpec): Promise<BuiltTarget> {
  const big = path.join(spec.www, 'big.bin');
  switch (spec.kind) {
    case 'bare':
      return listening(tls.createServer({ cert: certPem(spec), key: fs.readFileSync(spec.key) }, (socket) => answerHello(socket, big)));
    case 'tap': {
      // The bare server with its TLS socket over the byte tap, every byte seen and dropped.
      const secureContext = tls.createSecureContext({ cert: certPem(spec), key: fs.readFileSync(spec.key) });
      return listening(
        net.createServer((raw) => {
          raw.on('error', () => undefined);
          const tap = new ByteTap(raw, { observe: () => undefined, closed: () => undefined });
          const socket = new tls.TLSSocket(tap, { isServer: true, secureContext });
          socket.on('end', () => socket.end());
          answerHello(socket, big);
        }),
      );
    }
    case 'floor-file': {
      // The tap, and each chunk written to a file as recordings are (floorFile.ts): no rows, no database.
      const secureContext = tls.createSecureContext({ cert: certPem(spec), key: fs.readFileSync(spec.key) });
      const folder = scratch('tlslab-bench-srv-floor-');
      let connections = 0;
      return listening(
        net.createServer((raw) => {
          raw.on('error', () => undefined);
          const file = floorFile(path.join(folder, `${connections++}.bin`));
          const tap = new ByteTap(raw, { observe: (_direction, data) => file.observe(data), closed: () => void file.close() });
          const socket = new tls.TLSSocket(tap, { isServer: true, secureContext });
          socket.on('end', () => socket.end());
          answerHello(socket, big);
        }),
        async () => fs.rmSync(folder, { recursive: true, force: true }),
      );
    }
    case 'floor-log': {
      // The tap, the workbench server's TLS settings (sessions/tlsServer.ts) and each chunk and key
      // log line queued into one shared file (floorLog.ts): no sessions, events or rows.
      const secureContext = tls.createSecureContext({ cert: certPem(spec), key: fs.readFileSync(spec.key), dhparam: 'auto', honorCipherOrder: true, secureOptions: 0, sessionIdContext: 'tlslab-bench' });
      secureContext.context.setTicketKeys(crypto.randomBytes(48));
      const folder = scratch('tlslab-bench-srv-log-');
      const log = floorLog(path.join(folder, 'connections.bin'));
      return listening(
        net.createServer({ noDelay: true }, (raw) => {
          raw.on('error', () => undefined);
          const keep = log.connection();
          const tap = new ByteTap(raw, {
            observe: (direction, data) => keep(direction === 'inbound' ? 'client-to-server' : 'server-to-client', data),
            closed: () => keep('closed'),
          });
          const socket = new tls.TLSSocket(tap, { isServer: true, secureContext, ALPNProtocols: ['http/1.1', 'http/1.0'] });
          socket.on('keylog', (line: Buffer) => keep('keylog', line));
          socket.on('end', () => socket.end());
          answerHello(socket, big);
        }),
        async () => {
          await log.close();
          fs.rmSync(folder, { recursive: true, force: true });
        },
      );
    }
    case 'recording':
    case 'recording-uncapped': {
      const dataDir = scratch('tlslab-bench-srv-data-');
      const wb = new Workbench({ dataDir, ...(spec.kind === 'recording-uncapped' ? { recordCapBytes: 0 } : {}) });
      const info = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: spec.cert, keyPath: spec.key, chainPath: spec.chain }, responder: { kind: 'dir', path: spec.www } });
      return {
        port: info.port,
        settle: () => wb.writer.written(),
        writerCpuMs: async () => (await wb.writer.threadCpuMs?.()) ?? 0,
        stop: async () => {
          await wb.servers.stop(info.id);
          await wb.close();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
  }
}
