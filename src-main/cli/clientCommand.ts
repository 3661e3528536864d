// tlslab client: the TLS client session of lab task 1.
import type { Command } from 'commander';
import type { ClientPayload, ClientSessionRequest, SessionDetail } from '../api/types';
import { shellWord } from '../api/tryIt';
import { untrustedRoot } from '../api/untrustedRoot';
import { parseTrustArgument } from '../sessions/trustStore';
import type { Workbench } from '../workbench';
import { CliExit, integer, parseTarget, printJson, tlslabFor, tlsVersion } from './common';
import { openWorkshop, withWorkbenchPassphrase } from './pkiCommon';
import { formatClientResult } from './format';
import { clientIdentityFromOptions } from './identityOptions';

export function registerClientCommand(program: Command): void {
  withWorkbenchPassphrase(program.command('client'))
    .description('connect to a TLS server, verify it, send a request and record the session')
    .argument('<target>', 'HOST[:PORT], port 443 by default, or an https:// URL (its path is fetched)')
    .option('--connect-to <addr>', 'open the TCP connection to ADDR[:PORT] instead of resolving HOST')
    .option('--ca <trust>', 'trust store: a PEM FILE, a hash-link DIR, "system" or lab:NAME', 'system')
    .option('--insecure', 'do not let verification failures stop the session (they are still shown)')
    .option('--no-check-hostname', 'verify the chain but not that it names HOST')
    .option('--servername <name>', 'SNI to send (default HOST; "" sends none)')
    .option('--min-version <v>', 'lowest TLS version to offer', tlsVersion)
    .option('--max-version <v>', 'highest TLS version to offer', tlsVersion)
    .option('--ciphers <list>', 'OpenSSL cipher list, e.g. ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256')
    .option('--alpn <list>', 'ALPN protocols, comma separated, e.g. h2,http/1.1')
    .option('--get <path>', 'send an HTTP GET for PATH with a Host header')
    .option('--send <text>', 'send TEXT (newlines become CRLF)')
    .option('--timeout <ms>', 'give up after this many ms without progress', integer('--timeout', 1), 10_000)
    .option('--cert <file>', 'client certificate (PEM), presented when the server asks for one')
    .option('--key <file>', 'the client certificate\'s private key (PEM)')
    .option('--chain <file>', 'PEM intermediates to send after the client certificate')
    .option('--key-passphrase-file <file>', 'file whose first line is the key passphrase (else asked)')
    .option('--identity <lab:NAME>', 'client certificate and key from the certificate workshop')
    .option('--json', 'print one JSON object')
    .action(async (targetText: string, opts, command: Command) => {
      if (opts.get !== undefined && opts.send !== undefined) {
        throw new CliExit(2, 'choose one of --get PATH and --send TEXT');
      }
      const { host, port, path: urlPath } = parseTarget(targetText);
      if (urlPath !== undefined && (opts.get !== undefined || opts.send !== undefined)) {
        throw new CliExit(2, `the URL names the path ${urlPath}; leave out ${opts.get !== undefined ? '--get' : '--send'}, or give HOST:PORT as the target`);
      }
      // An https:// URL fetches its path, as curl would.
      const get = opts.get ?? urlPath;
      const send: ClientPayload =
        get !== undefined ? { kind: 'http-get', path: get } : opts.send !== undefined ? { kind: 'text', text: opts.send } : { kind: 'none' };
      const request: ClientSessionRequest = {
        host,
        port,
        connectTo: opts.connectTo,
        trust: parseTrustArgument(opts.ca),
        verifyPeer: !opts.insecure,
        checkHostname: opts.checkHostname !== false,
        servername: opts.servername,
        minVersion: opts.minVersion,
        maxVersion: opts.maxVersion,
        ciphers: opts.ciphers,
        alpn: opts.alpn ? String(opts.alpn).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
        send,
        timeoutMs: opts.timeout,
        clientCertificate: await clientIdentityFromOptions(opts),
      };
      const wb = await openWorkshop(command);
      try {
        const session = await wb.runClient(request);
        const verified = session.verification?.accepted === true && session.verification.verifyPeer;
        if (opts.json) {
          printJson({
            sessionId: session.id,
            status: session.status,
            target: session.target,
            address: session.address,
            sni: session.sni,
            version: session.version,
            cipher: session.cipher,
            alpn: session.alpn,
            verified,
            verification: session.verification,
            error: session.error,
            peerCertificates: session.connections[0]?.peerCertificates ?? [],
            clientCertificates: session.connections[0]?.localCertificates ?? [],
            response: session.response,
          });
        } else {
          process.stdout.write(`${formatClientResult(session, { tlslab: tlslabFor(command) })}\n`);
        }
        if (session.status === 'failed') {
          const unresolved = resolveHint(session, tlslabFor(command));
          const hint = opts.json ? null : (trustHint(wb, session, String(opts.ca)) ?? hostnameHint(session) ?? unresolved?.hint);
          const message = unresolved?.message ?? session.error?.message ?? 'the session failed';
          throw new CliExit(1, opts.json ? '' : `${message} (recorded as session ${session.id})${hint ? `; ${hint}` : ''}`);
        }
      } finally {
        await wb.close();
      }
    });
}

/**
 * A chain the trust store did not reach, issued by a CA of this workbench: the lab's first failure.
 * Names that CA and the flag that trusts it (or the one that goes on regardless).
 */
function trustHint(wb: Workbench, session: SessionDetail, ca: string): string | null {
  if (!untrustedRoot(session.verification?.chain)) return null;
  const leaf = session.connections[0]?.peerCertificates[0];
  if (!leaf) return null;
  let root: string | null = null;
  try {
    root = wb.workshop.rootCaName(new Uint8Array(Buffer.from(leaf.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')));
  } catch {
    return null;
  }
  if (!root || ca === `lab:${root}`) return null;
  return `the certificate was issued by this workbench's CA "${root}", which the trust store does not hold; if that is the CA you mean to trust (and not a man in the middle's), add --ca ${shellWord(`lab:${root}`)}; --insecure goes on without trusting it`;
}

/**
 * A name neither the host table nor DNS knows (the lab's names are not in any DNS): the two ways
 * to reach it from a terminal, spelled out, as the shared message speaks of the window's fields.
 */
function resolveHint(session: SessionDetail, tlslab: string): { message: string; hint: string } | null {
  if (session.error?.code !== 'NAME_NOT_RESOLVED') return null;
  const name = session.target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return {
    message: `the name ${name} does not resolve to an address`,
    hint: `give it one with ${tlslab} hosts set ${shellWord(name)} 127.0.0.1 (the workbench's /etc/hosts), or add --connect-to 127.0.0.1 to this command`,
  };
}

/**
 * A trusted chain for another name: the server is not the site asked for (a wrong address, or a
 * man in the middle with a certificate of its own). Says so, and names the flag that skips the
 * check, which is the lab's experiment.
 */
function hostnameHint(session: SessionDetail): string | null {
  const v = session.verification;
  if (!v || !v.chain.ok || !v.checkHostname || !v.hostname || v.hostname.ok) return null;
  return `the server's certificate is for another site, so this is not ${v.hostname.hostname} (a wrong address, or someone in the middle); --no-check-hostname goes on without the name check, as a client that skips it would`;
}
