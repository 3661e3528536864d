// Every certificate of a session as one PEM file, each once, with a comment saying where it was seen.
import { X509Certificate } from 'node:crypto';
import type { RecordedSession } from './recordedSession';

function pemBlock(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

function subjectOf(der: Uint8Array): string {
  try {
    return new X509Certificate(der).subject.replace(/\n/g, ', ');
  } catch {
    return 'unreadable certificate';
  }
}

export function sessionCertificatesPem(session: RecordedSession): { text: string; count: number } {
  const seen = new Set<string>();
  const parts: string[] = [];
  session.connections.forEach((c, i) => {
    for (const cert of c.certificates) {
      const key = Buffer.from(cert.der).toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      // Text outside the BEGIN/END lines is ignored by openssl and every PEM reader.
      parts.push(`# connection ${i + 1} (${c.leg}), ${cert.role} certificate ${cert.position}: ${subjectOf(cert.der)}\n${pemBlock(cert.der)}`);
    }
  });
  return { text: parts.join(''), count: parts.length };
}
