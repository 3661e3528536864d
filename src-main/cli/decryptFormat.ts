// Plain-text rendering of key material and decrypted records for `tlslab sessions show --keys`
// and `--decrypt`. Pure functions over the API types.
import type { ConnectionKeys, DecryptedConnection, DecryptedRecordInfo, DerivationStep, KeyValue } from '../api/decryptTypes';

const ARROW = { 'client-to-server': 'client -> server', 'server-to-client': 'server -> client' } as const;

const SOURCE = {
  keylog: 'keys from the key log',
  'server-private-key': "keys from the server's private key (RSA key exchange)",
  'server-ticket-key': "keys from the server's session ticket key (the secret sealed in a ticket)",
  none: 'no keys',
} as const;

function value(v: KeyValue, indent: string): string {
  const shown = v.text !== undefined ? `"${v.text}" (${v.hex})` : v.hex;
  return `${indent}${v.name} [${v.length}]: ${shown}${v.highlight ? '   <== the secret the ticket holds' : ''}`;
}

function step(s: DerivationStep, n: number): string[] {
  const lines = [`  ${String(n).padStart(2)}. ${s.title}`, `      ${s.operation}${s.rfc ? ` (${s.rfc})` : ''}`];
  for (const input of s.inputs) lines.push(value(input, '      in  '));
  for (const output of s.outputs) lines.push(value(output, '      out '));
  if (s.note) lines.push(`      note: ${s.note}`);
  return lines;
}

export function formatConnectionKeys(k: ConnectionKeys): string {
  const lines = [
    `connection ${k.connectionId} (${k.leg}): ${k.version ?? 'no ServerHello'}${k.cipherSuite ? `, ${k.cipherSuite.name}` : ''}; ${SOURCE[k.source]}`,
  ];
  if (k.suite) {
    const s = k.suite;
    lines.push(
      `  suite: ${s.cipher} (${s.protection}), key ${s.keyLength} bytes, IV ${s.fixedIvLength}${s.recordIvLength ? ` + ${s.recordIvLength} per record` : ''}` +
        `${s.tagLength ? `, tag ${s.tagLength}` : ''}${s.macHash ? `, HMAC-${s.macHash.toUpperCase()} key ${s.macKeyLength}` : ''}, hash ${s.prfHash.toUpperCase()}`,
    );
  }
  if (k.version === 'TLS 1.0' || k.version === 'TLS 1.1' || k.version === 'TLS 1.2') {
    lines.push(`  extended master secret: ${k.extendedMasterSecret ? 'yes' : 'no'}${k.suite?.protection === 'cbc' ? `; encrypt-then-MAC: ${k.encryptThenMac ? 'yes' : 'no'}` : ''}`);
  }
  if (k.clientRandom) lines.push(`  client random: ${k.clientRandom}`);
  if (k.serverRandom) lines.push(`  server random: ${k.serverRandom}`);
  if (k.keyShares.length) lines.push('  key exchange public values:', ...k.keyShares.map((v) => value(v, '    ')));
  if (k.secrets.length) lines.push('  secrets:', ...k.secrets.map((v) => value(v, '    ')));
  if (k.keys.length) lines.push('  keys:', ...k.keys.map((v) => value(v, '    ')));
  if (k.steps.length) lines.push('  derivation:', ...k.steps.flatMap((s, i) => step(s, i + 1)));
  if (k.keylog.length) lines.push('  key log:', ...k.keylog.map((line) => `    ${line}`));
  if (k.notes.length) lines.push('  notes:', ...k.notes.map((n) => `    - ${n}`));
  return lines.join('\n');
}

/** Hex in lines of 16 bytes, with offsets. */
function hexDump(hex: string, indent: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const row = hex.slice(i, i + 32).replace(/(..)(?!$)/g, '$1 ');
    lines.push(`${indent}${(i / 2).toString(16).padStart(6, '0')}  ${row}`);
  }
  return lines;
}

function check(r: DecryptedRecordInfo): string {
  if (r.tagCheck) return `tag ${r.tagCheck === 'ok' ? 'ok' : 'FAILED'}`;
  if (r.mac) return `MAC ${r.mac.ok ? 'ok' : 'FAILED'}`;
  return r.status;
}

export function formatDecryptedRecord(r: DecryptedRecordInfo): string {
  const head = [
    `#${r.number}`,
    ARROW[r.direction],
    r.contentTypeName ?? 'protected',
    r.sequenceNumber !== undefined ? `seq ${r.sequenceNumber}` : '',
    r.keyEpoch ? `${r.keyEpoch} keys` : '',
    check(r),
    r.plaintextLength !== undefined ? `${r.plaintextLength} bytes` : `${r.length} bytes on the wire`,
  ]
    .filter(Boolean)
    .join('  ');
  const lines = [head];
  if (r.status !== 'decrypted') {
    lines.push(`    ${r.problem ?? r.status}`);
    return lines.join('\n');
  }
  if (r.contentType !== 23) {
    lines.push(`    ${r.messages.join(', ')}`);
    return lines.join('\n');
  }
  if (r.plaintextText !== undefined) {
    lines.push(...r.plaintextText.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').map((l) => `    | ${l}`));
  } else if (r.plaintextHex) {
    lines.push(...hexDump(r.plaintextHex, '    '));
  }
  return lines.join('\n');
}

export function formatDecryptedConnection(c: DecryptedConnection): string {
  const lines = [`connection ${c.connectionId} (${c.leg}): ${c.total} protected records, ${c.decrypted} decrypted; ${SOURCE[c.source]}`];
  const encrypted = c.handshake.filter((m) => m.encrypted);
  if (encrypted.length) {
    lines.push('  encrypted handshake messages:');
    for (const m of encrypted) lines.push(`    #${m.recordNumbers.join(',#')} ${ARROW[m.direction]}  ${m.name}${m.summary && m.summary !== m.name ? `: ${m.summary}` : ''}`);
  }
  for (const r of c.records) lines.push(formatDecryptedRecord(r).replace(/^/gm, '  '));
  if (c.records.length < c.total && c.records.length > 0) lines.push(`  (showing ${c.records.length} of ${c.total}; use --from and --limit for more)`);
  if (c.notes.length) lines.push('  notes:', ...c.notes.map((n) => `    - ${n}`));
  return lines.join('\n');
}
