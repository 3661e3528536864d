// A Node.js TLS client as a proxy's victim: it verifies the certificate after the handshake (Node's
// default) and prints "accepted", or "refused CODE" with Node's error code.
import { run, type RunResult } from './run';

export async function nodeVictim(address: string, servername = 'www.example.com'): Promise<RunResult> {
  const script = `
    const tls = require('node:tls');
    const [host, port] = process.argv[1].split(':');
    const s = tls.connect({ host, port: Number(port), servername: process.argv[2] });
    s.on('secureConnect', () => { console.log('accepted'); s.end(); });
    s.on('error', (e) => console.log('refused ' + e.code));`;
  return run(process.execPath, ['-e', script, address, servername]);
}
