// Field trees for the record inspector: every decoded field of a record, with the bytes it came
// from. The decoder (tls/records.ts, tls/handshake.ts) gives each handshake field a range in its
// direction's handshake stream; here those ranges are moved into the record that carried them (or
// into its decrypted plaintext) and the lists and extensions are taken apart element by element.
// Pure: decoded values and bytes in, trees out.

import type { RecordField } from '../api/recordTypes';
import type { TlsRecordEntry } from '../api/types';
import { describeCertificate } from '../pki/certificateInfo';
import { parseTime } from '../pki/certificateDer';
import { type Asn1Node, decodeOid, parseDerAt } from '../pki/der';
import { distinguishedNameText } from '../pki/names';
import { describeOid } from '../pki/oids';
import type { Extension, FieldSpan, HandshakeBody, HandshakeMessage } from '../tls/handshake';
import type { HandshakeFragment } from '../tls/records';
import {
  type NamedCode,
  CONTENT_TYPE,
  alertDescriptionName,
  alertLevelName,
  contentTypeName,
  handshakeMessageName,
  versionName,
} from '../tls/registry';

const HEX_PREVIEW = 24;

function hex(bytes: Uint8Array, max = HEX_PREVIEW): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, max)).toString('hex');
  return bytes.length > max ? `${shown}… (${bytes.length} bytes)` : shown;
}

function codeHex(code: number, width: number): string {
  return `0x${code.toString(16).padStart(width, '0')}`;
}

/** A code the registry has no name for ("unknown (0x1a2b)"), not a name that starts with the word (unknown_ca). */
function isUnknown(name: string): boolean {
  return /^unknown[ (]/.test(name);
}

/** A node for a wire code: "TLS_AES_128_GCM_SHA256 (0x1301)", unknown codes flagged. */
function codeNode(name: string, offset: number, length: number, value: NamedCode): RecordField {
  const node: RecordField = { name, offset, length, code: value.code };
  node.value = isUnknown(value.name) || value.name.startsWith('GREASE') ? value.name : `${value.name} (${codeHex(value.code, length * 2)})`;
  if (isUnknown(value.name)) node.unknown = true;
  return node;
}

function bytesNode(name: string, offset: number, bytes: Uint8Array): RecordField {
  return { name, offset, length: bytes.length, value: bytes.length === 0 ? '(empty)' : hex(bytes) };
}

/** A vector<2> of DistinguishedName<2> (TLS 1.2 CertificateRequest, TLS 1.3 certificate_authorities): each name as text. */
function authoritiesNode(name: string, offset: number, authorities: Uint8Array[]): RecordField {
  const children: RecordField[] = [lengthNode(offset, 2, authorities.reduce((n, a) => n + 2 + a.length, 0), `${name} length`)];
  let at = offset + 2;
  for (const der of authorities) {
    children.push({
      name: 'DistinguishedName',
      offset: at,
      length: 2 + der.length,
      value: distinguishedNameText(der),
      children: [lengthNode(at, 2, der.length), bytesNode('DER', at + 2, der)],
    });
    at += 2 + der.length;
  }
  return { name, offset, length: at - offset, value: authoritiesText(authorities), children };
}

/** "CN=Students CA" or "2 CAs: CN=A; CN=B"; "any CA" for an empty list (the server names none). */
function authoritiesText(authorities: Uint8Array[]): string {
  if (authorities.length === 0) return 'any CA (none named)';
  const names = authorities.map(distinguishedNameText);
  return authorities.length === 1 ? names[0] : `${authorities.length} CAs: ${names.join('; ')}`;
}

/** The bit length of a big-endian unsigned number (a DH prime: 2048). */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

function lengthNode(offset: number, width: number, value: number, name = 'length'): RecordField {
  return { name, offset, length: width, value: String(value) };
}

/** A bounds-safe reader over one field's bytes with absolute offsets. */
class Bytes {
  pos = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly origin: number,
  ) {}

  get at(): number {
    return this.origin + this.pos;
  }

  has(n: number): boolean {
    return this.pos + n <= this.data.length;
  }

  uint(width: number): number {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + (this.data[this.pos + i] ?? 0);
    this.pos += width;
    return v;
  }

  take(n: number): Uint8Array {
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const text = new TextDecoder('utf-8');

/** A length-prefixed list of fixed-size codes (cipher suites, groups, schemes, versions). */
function codeList(
  name: string,
  offset: number,
  prefix: number,
  width: number,
  codes: readonly NamedCode[],
  label: string,
): RecordField {
  const children: RecordField[] = [lengthNode(offset, prefix, codes.length * width)];
  codes.forEach((c, i) => children.push(codeNode(`${label} ${i + 1}`, offset + prefix + i * width, width, c)));
  return { name, offset, length: prefix + codes.length * width, value: `${codes.length} entries`, children };
}

// ---------------------------------------------------------------------------------------------
// Extensions (RFC 8446, Section 4.2)

function extensionValueNodes(e: Extension, dataOffset: number, fromClientHello: boolean): { value?: string; children: RecordField[] } {
  const v = e.value;
  const r = new Bytes(e.data, dataOffset);
  const children: RecordField[] = [];
  switch (v.kind) {
    case 'server_name': {
      if (e.data.length === 0) return { value: '(empty: the server accepted the name)', children };
      children.push(lengthNode(r.at, 2, r.uint(2), 'server_name_list length'));
      for (const sn of v.serverNames) {
        if (!r.has(3)) break;
        const start = r.at;
        const typeNode = codeNode('name_type', r.at, 1, sn.nameType);
        r.uint(1);
        const lenNode = lengthNode(r.at, 2, r.uint(2), 'host_name length');
        const hostAt = r.at;
        const host = r.take(lenNode.value ? Number(lenNode.value) : 0);
        children.push({
          name: 'server_name entry',
          offset: start,
          length: r.at - start,
          value: sn.hostName,
          children: [typeNode, lenNode, { name: 'host_name', offset: hostAt, length: host.length, value: text.decode(host) }],
        });
      }
      return { value: v.serverNames.map((s) => s.hostName).join(', '), children };
    }
    case 'application_layer_protocol_negotiation': {
      children.push(lengthNode(r.at, 2, r.uint(2), 'protocol_name_list length'));
      for (const p of v.protocols) {
        if (!r.has(1)) break;
        const start = r.at;
        const len = r.uint(1);
        r.take(len);
        // As tshark shows each one: "ALPN string length: 2", "ALPN Next Protocol: h2".
        children.push({ name: 'protocol_name', offset: start, length: 1 + len, value: p, children: [lengthNode(start, 1, len)] });
      }
      return { value: v.protocols.join(', '), children };
    }
    case 'supported_versions':
      if (e.data.length === 2) {
        children.push(codeNode('selected_version', dataOffset, 2, v.versions[0]));
        return { value: v.versions[0]?.name, children };
      }
      children.push(codeList('versions', dataOffset, 1, 2, v.versions, 'version'));
      return { value: v.versions.map((x) => x.name).join(', '), children };
    case 'supported_groups':
      children.push(codeList('named_group_list', dataOffset, 2, 2, v.groups, 'group'));
      return { value: v.groups.map((x) => x.name).join(', '), children };
    case 'signature_algorithms':
    case 'signature_algorithms_cert':
      children.push(codeList('supported_signature_algorithms', dataOffset, 2, 2, v.schemes, 'scheme'));
      return { value: `${v.schemes.length} schemes`, children };
    case 'ec_point_formats':
      children.push(codeList('ec_point_format_list', dataOffset, 1, 1, v.formats, 'format'));
      return { value: v.formats.map((x) => x.name).join(', '), children };
    case 'psk_key_exchange_modes':
      children.push(codeList('ke_modes', dataOffset, 1, 1, v.modes, 'mode'));
      return { value: v.modes.map((x) => x.name).join(', '), children };
    case 'renegotiation_info':
      children.push(lengthNode(dataOffset, 1, v.renegotiatedConnection.length));
      children.push(bytesNode('renegotiated_connection', dataOffset + 1, v.renegotiatedConnection));
      return { value: v.renegotiatedConnection.length === 0 ? 'initial handshake' : 'renegotiation', children };
    case 'key_share': {
      if (v.selectedGroup) {
        children.push(codeNode('selected_group', dataOffset, 2, v.selectedGroup));
        return { value: `retry with ${v.selectedGroup.name}`, children };
      }
      const client = fromClientHello;
      if (client) children.push(lengthNode(r.at, 2, r.uint(2), 'client_shares length'));
      for (const share of v.shares) {
        if (!r.has(4)) break;
        const start = r.at;
        const groupNode = codeNode('group', r.at, 2, share.group);
        r.uint(2);
        const lenNode = lengthNode(r.at, 2, r.uint(2), 'key_exchange length');
        const keyAt = r.at;
        r.take(share.keyExchange.length);
        children.push({
          name: client ? 'client_share' : 'server_share',
          offset: start,
          length: r.at - start,
          value: share.group.name,
          children: [groupNode, lenNode, bytesNode('key_exchange', keyAt, share.keyExchange)],
        });
      }
      return { value: v.shares.map((s) => s.group.name).join(', '), children };
    }
    case 'certificate_authorities': {
      const node = authoritiesNode('authorities', dataOffset, v.authorities);
      return { value: node.value, children: [node] };
    }
    case 'status_request': {
      if (e.data.length === 0) {
        return { value: fromClientHello ? '(empty)' : '(empty: the server will staple an OCSP response)', children };
      }
      const statusType = v.statusType as NamedCode;
      children.push(codeNode('status_type', r.at, 1, statusType));
      r.uint(1);
      if (v.ocspResponse) {
        children.push(lengthNode(r.at, 3, v.ocspResponse.length));
        const ocsp = ocspResponseNode('response', r.at + 3, v.ocspResponse);
        return { value: `${statusType.name}: ${ocsp.value}`, children: [...children, ocsp] };
      }
      if (!v.responderIds) {
        if (r.has(1)) children.push(bytesNode('request', r.at, e.data.subarray(1)));
        return { value: statusType.name, children };
      }
      const idsAt = r.at;
      const idsLength = r.uint(2);
      const idChildren: RecordField[] = [lengthNode(idsAt, 2, idsLength)];
      let at = idsAt + 2;
      for (const id of v.responderIds) {
        idChildren.push({ name: 'ResponderID', offset: at, length: 2 + id.length, value: hex(id), children: [lengthNode(at, 2, id.length), bytesNode('ResponderID', at + 2, id)] });
        at += 2 + id.length;
      }
      children.push({ name: 'responder_id_list', offset: idsAt, length: 2 + idsLength, value: v.responderIds.length === 0 ? '(empty: any responder the server knows)' : `${v.responderIds.length} responders`, children: idChildren });
      const extAt = idsAt + 2 + idsLength;
      const ext = v.requestExtensions ?? new Uint8Array(0);
      children.push({ name: 'request_extensions', offset: extAt, length: 2 + ext.length, value: ext.length === 0 ? '(empty)' : hex(ext), children: [lengthNode(extAt, 2, ext.length)] });
      return { value: `${statusType.name}: the client asks for a stapled OCSP response`, children };
    }
    case 'max_fragment_length':
      children.push(codeNode('max_fragment_length', dataOffset, 1, v.maxFragmentLength));
      return { value: isUnknown(v.maxFragmentLength.name) ? v.maxFragmentLength.name : `${v.maxFragmentLength.name} bytes`, children };
    case 'record_size_limit':
      children.push({ name: 'record_size_limit', offset: dataOffset, length: 2, value: String(v.recordSizeLimit) });
      return { value: `${v.recordSizeLimit} bytes`, children };
    case 'padding':
      if (e.data.length > 0) children.push({ ...bytesNode('padding', dataOffset, e.data), ...(v.allZero ? {} : { note: 'RFC 7685 padding must be zero bytes' }) });
      return { value: `${v.paddingLength} ${v.allZero ? 'zero ' : ''}bytes`, children };
    case 'pre_shared_key': {
      if (v.selectedIdentity !== undefined) {
        children.push({ name: 'selected_identity', offset: dataOffset, length: 2, value: String(v.selectedIdentity) });
        return { value: `selected identity ${v.selectedIdentity}`, children };
      }
      const idsAt = r.at;
      const idsLength = r.uint(2);
      const idChildren: RecordField[] = [lengthNode(idsAt, 2, idsLength)];
      let at = idsAt + 2;
      v.identities.forEach((id, i) => {
        idChildren.push({
          name: `identity ${i + 1}`,
          offset: at,
          length: 2 + id.identity.length + 4,
          value: `${id.identity.length}-byte identity`,
          children: [
            lengthNode(at, 2, id.identity.length),
            bytesNode('identity', at + 2, id.identity),
            { name: 'obfuscated_ticket_age', offset: at + 2 + id.identity.length, length: 4, value: String(id.obfuscatedTicketAge) },
          ],
        });
        at += 2 + id.identity.length + 4;
      });
      children.push({ name: 'identities', offset: idsAt, length: 2 + idsLength, value: `${v.identities.length} identities`, children: idChildren });
      const bindersAt = at;
      const binderChildren: RecordField[] = [lengthNode(at, 2, v.binders.reduce((n, b) => n + 1 + b.length, 0))];
      at += 2;
      v.binders.forEach((b, i) => {
        binderChildren.push({ name: `binder ${i + 1}`, offset: at, length: 1 + b.length, value: hex(b), children: [lengthNode(at, 1, b.length), bytesNode('PskBinderEntry', at + 1, b)] });
        at += 1 + b.length;
      });
      children.push({ name: 'binders', offset: bindersAt, length: at - bindersAt, value: `${v.binders.length} binders`, children: binderChildren });
      return { value: `${v.identities.length} ${v.identities.length === 1 ? 'identity' : 'identities'}`, children };
    }
    case 'early_data':
      if (v.maxEarlyDataSize !== undefined) {
        children.push({ name: 'max_early_data_size', offset: dataOffset, length: 4, value: String(v.maxEarlyDataSize) });
        return { value: `max_early_data_size ${v.maxEarlyDataSize}`, children };
      }
      return { value: '(empty)', children };
    case 'cookie':
      children.push(lengthNode(dataOffset, 2, v.cookie.length));
      children.push(bytesNode('cookie', dataOffset + 2, v.cookie));
      return { value: `${v.cookie.length}-byte cookie`, children };
    case 'heartbeat':
      children.push(codeNode('mode', dataOffset, 1, v.mode));
      return { value: v.mode.name, children };
    case 'compress_certificate':
      children.push(codeList('algorithms', dataOffset, 1, 2, v.algorithms, 'algorithm'));
      return { value: v.algorithms.map((a) => a.name).join(', '), children };
    case 'session_ticket':
      if (v.ticket.length === 0) return { value: '(empty)', children };
      children.push(bytesNode('ticket', dataOffset, v.ticket));
      return { value: `${v.ticket.length}-byte ticket`, children };
    case 'application_settings': {
      // draft-vvv-tls-alps: the ALPN protocols the client has settings for, or the settings.
      if (v.settings) {
        if (v.settings.length > 0) children.push(bytesNode('application_settings', dataOffset, v.settings));
        return { value: v.settings.length === 0 ? '(empty)' : `${v.settings.length} bytes of settings`, children };
      }
      const protocols = v.protocols ?? [];
      children.push(lengthNode(r.at, 2, r.uint(2), 'supported_protocols length'));
      for (const p of protocols) {
        if (!r.has(1)) break;
        const start = r.at;
        const len = r.uint(1);
        r.take(len);
        children.push({ name: 'protocol_name', offset: start, length: 1 + len, value: p, children: [lengthNode(start, 1, len)] });
      }
      return { value: protocols.join(', '), children };
    }
    case 'encrypted_client_hello':
      return echNodes(v, dataOffset);
    case 'signed_certificate_timestamp': {
      if (v.scts.length === 0) return { value: fromClientHello ? '(empty: the client asks for SCTs)' : '(empty)', children };
      children.push(lengthNode(dataOffset, 2, e.data.length - 2, 'sct_list length'));
      for (const sct of v.scts) {
        let at = sct.offset + 2;
        const sctChildren: RecordField[] = [lengthNode(sct.offset, 2, sct.length - 2)];
        sctChildren.push({ name: 'version', offset: at, length: 1, value: sct.version === 0 ? 'v1 (0)' : `unknown (${sct.version})`, ...(sct.version === 0 ? {} : { unknown: true }) });
        at += 1;
        sctChildren.push(bytesNode('log_id', at, sct.logId));
        at += 32;
        const when = new Date(sct.timestamp);
        sctChildren.push({ name: 'timestamp', offset: at, length: 8, value: Number.isNaN(when.getTime()) ? String(sct.timestamp) : `${when.toISOString().slice(0, 23).replace('T', ' ')} UTC` });
        at += 8;
        sctChildren.push(opaqueNode('extensions', at, 2, sct.extensions));
        at += 2 + sct.extensions.length;
        sctChildren.push(codeNode('algorithm', at, 2, sct.algorithm));
        at += 2;
        sctChildren.push(opaqueNode('signature', at, 2, sct.signature));
        children.push({ name: 'SignedCertificateTimestamp', offset: sct.offset, length: sct.length, value: `log ${hex(sct.logId, 8)}, ${sctChildren[3].value}`, children: sctChildren });
      }
      return { value: `${v.scts.length} ${v.scts.length === 1 ? 'SCT' : 'SCTs'}`, children };
    }
    case 'delegated_credentials':
      if (v.credential) {
        const dc = v.credential;
        const cred: RecordField[] = [
          { name: 'valid_time', offset: dataOffset, length: 4, value: `${dc.validTime} s after the certificate's notBefore` },
          codeNode('dc_cert_verify_algorithm', dataOffset + 4, 2, dc.dcCertVerifyAlgorithm),
          opaqueNode('ASN1_subjectPublicKeyInfo', dataOffset + 6, 3, dc.subjectPublicKeyInfo),
        ];
        const credLength = 6 + 3 + dc.subjectPublicKeyInfo.length;
        children.push({ name: 'cred', offset: dataOffset, length: credLength, value: dc.dcCertVerifyAlgorithm.name, children: cred });
        children.push(codeNode('algorithm', dataOffset + credLength, 2, dc.algorithm));
        children.push(opaqueNode('signature', dataOffset + credLength + 2, 2, dc.signature));
        return { value: `valid ${dc.validTime} s, ${dc.dcCertVerifyAlgorithm.name}`, children };
      }
      children.push(codeList('signature_algorithms', dataOffset, 2, 2, v.schemes, 'scheme'));
      return { value: `${v.schemes.length} schemes`, children };
    case 'status_request_v2': {
      if (v.requests.length === 0) return { value: fromClientHello ? '(empty)' : '(empty: the server will staple OCSP responses)', children };
      children.push(lengthNode(dataOffset, 2, e.data.length - 2, 'certificate_status_req_list length'));
      for (const item of v.requests) {
        const itemChildren: RecordField[] = [codeNode('status_type', item.offset, 1, item.statusType), lengthNode(item.offset + 1, 2, item.length - 3, 'request length')];
        if (item.responderIds && item.requestExtensions) {
          const idsAt = item.offset + 3;
          const idsLength = item.responderIds.reduce((n, id) => n + 2 + id.length, 0);
          itemChildren.push({ name: 'responder_id_list', offset: idsAt, length: 2 + idsLength, value: item.responderIds.length === 0 ? '(empty: any responder the server knows)' : `${item.responderIds.length} responders`, children: [lengthNode(idsAt, 2, idsLength)] });
          const extAt = idsAt + 2 + idsLength;
          itemChildren.push({ name: 'request_extensions', offset: extAt, length: 2 + item.requestExtensions.length, value: item.requestExtensions.length === 0 ? '(empty)' : hex(item.requestExtensions), children: [lengthNode(extAt, 2, item.requestExtensions.length)] });
        } else if (item.request && item.request.length > 0) {
          itemChildren.push(bytesNode('request', item.offset + 3, item.request));
        }
        children.push({ name: 'CertificateStatusRequestItemV2', offset: item.offset, length: item.length, value: item.statusType.name, children: itemChildren });
      }
      return { value: v.requests.map((x) => x.statusType.name).join(', '), children };
    }
    case 'raw':
      if (e.data.length > 0) children.push(bytesNode('extension_data', dataOffset, e.data));
      return { value: e.data.length === 0 ? '(empty)' : undefined, children };
  }
}

/** An opaque vector with its length prefix: "enc", "payload", "public_key". */
function opaqueNode(name: string, offset: number, prefix: number, bytes: Uint8Array): RecordField {
  return { name, offset, length: prefix + bytes.length, value: bytes.length === 0 ? '(empty)' : hex(bytes), children: [lengthNode(offset, prefix, bytes.length), bytesNode(name, offset + prefix, bytes)] };
}

/** An HPKE cipher suite (KDF, AEAD) as Wireshark shows it: "HKDF-SHA256/AES-128-GCM". */
function hpkeSuiteNode(offset: number, kdf: NamedCode, aead: NamedCode): RecordField {
  return { name: 'cipher_suite', offset, length: 4, value: `${kdf.name}/${aead.name}`, children: [codeNode('kdf_id', offset, 2, kdf), codeNode('aead_id', offset + 2, 2, aead)] };
}

/** Encrypted Client Hello (draft-ietf-tls-esni): ECHClientHello, retry_configs, or the HRR confirmation. */
function echNodes(v: Extract<Extension['value'], { kind: 'encrypted_client_hello' }>, dataOffset: number): { value?: string; children: RecordField[] } {
  const children: RecordField[] = [];
  if (v.confirmation) {
    children.push(bytesNode('confirmation', dataOffset, v.confirmation));
    return { value: 'accept confirmation', children };
  }
  if (v.retryConfigs) {
    const total = v.retryConfigs.reduce((n, c) => n + c.length, 0);
    const configs: RecordField[] = [lengthNode(dataOffset, 2, total)];
    for (const c of v.retryConfigs) {
      const cc: RecordField[] = [{ name: 'version', offset: c.offset, length: 2, code: c.version, value: codeHex(c.version, 4) }, lengthNode(c.offset + 2, 2, c.length - 4)];
      if (c.configId !== undefined && c.kem && c.publicKey && c.cipherSuites && c.extensions) {
        let at = c.offset + 4;
        cc.push({ name: 'config_id', offset: at, length: 1, value: String(c.configId) });
        cc.push(codeNode('kem_id', at + 1, 2, c.kem));
        at += 3;
        cc.push(opaqueNode('public_key', at, 2, c.publicKey));
        at += 2 + c.publicKey.length;
        const suites: RecordField[] = [lengthNode(at, 2, c.cipherSuites.length * 4)];
        c.cipherSuites.forEach((s, i) => suites.push(hpkeSuiteNode(at + 2 + i * 4, s.kdf, s.aead)));
        cc.push({ name: 'cipher_suites', offset: at, length: 2 + c.cipherSuites.length * 4, value: `${c.cipherSuites.length} suites`, children: suites });
        at += 2 + c.cipherSuites.length * 4;
        cc.push({ name: 'maximum_name_length', offset: at, length: 1, value: String(c.maximumNameLength) });
        at += 1;
        const publicName = c.publicName ?? '';
        cc.push({ name: 'public_name', offset: at, length: 1 + Buffer.byteLength(publicName), value: publicName, children: [lengthNode(at, 1, Buffer.byteLength(publicName))] });
        at += 1 + Buffer.byteLength(publicName);
        cc.push(opaqueNode('extensions', at, 2, c.extensions));
      }
      configs.push({ name: 'ECHConfig', offset: c.offset, length: c.length, value: c.publicName ?? `version 0x${c.version.toString(16)}`, children: cc });
    }
    children.push({ name: 'retry_configs', offset: dataOffset, length: 2 + total, value: `${v.retryConfigs.length} configs`, children: configs });
    return { value: `retry_configs: ${v.retryConfigs.map((c) => c.publicName ?? 'unreadable').join(', ')}`, children };
  }
  const echType = v.echType as NamedCode;
  children.push(codeNode('type', dataOffset, 1, echType));
  if (!v.kdf || !v.aead || v.configId === undefined || !v.enc || !v.payload) return { value: echType.name, children };
  children.push(hpkeSuiteNode(dataOffset + 1, v.kdf, v.aead));
  children.push({ name: 'config_id', offset: dataOffset + 5, length: 1, value: String(v.configId) });
  children.push(opaqueNode('enc', dataOffset + 6, 2, v.enc));
  children.push(opaqueNode('payload', dataOffset + 8 + v.enc.length, 2, v.payload));
  return { value: `${echType.name}, ${v.kdf.name}/${v.aead.name}, config_id ${v.configId}`, children };
}

function extensionNode(e: Extension, index: number, fromClientHello: boolean): RecordField {
  const node: RecordField = { name: e.name, offset: e.offset, length: e.length, code: e.type };
  if (isUnknown(e.name)) node.unknown = true;
  // "unknown (0x1234)" and "GREASE (0x0a0a)" carry their code already.
  const typeName = isUnknown(e.name) || e.name.startsWith('GREASE') ? e.name : `${e.name} (${e.type})`;
  const children: RecordField[] = [
    { name: 'extension_type', offset: e.offset, length: 2, code: e.type, value: typeName, ...(isUnknown(e.name) ? { unknown: true } : {}) },
    lengthNode(e.offset + 2, 2, e.data.length, 'extension_data length'),
  ];
  if (e.malformed !== undefined) {
    node.malformed = e.malformed;
    if (e.data.length > 0) children.push(bytesNode('extension_data', e.offset + 4, e.data));
  } else {
    const inner = extensionValueNodes(e, e.offset + 4, fromClientHello);
    if (inner.value !== undefined) node.value = inner.value;
    children.push(...inner.children);
  }
  node.children = children;
  node.note = `extension ${index + 1}`;
  return node;
}

function extensionsNode(span: FieldSpan, extensions: readonly Extension[], fromClientHello = false): RecordField {
  return {
    name: 'extensions',
    offset: span.offset,
    length: span.length,
    value: `${extensions.length} extensions`,
    children: [lengthNode(span.offset, 2, span.length - 2), ...extensions.map((e, i) => extensionNode(e, i, fromClientHello))],
  };
}

// ---------------------------------------------------------------------------------------------
// OCSP responses (RFC 6960, Section 4.2.1), stapled in CertificateStatus or a TLS 1.3 status_request

const OCSP_RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'unused (4)', 'sigRequired', 'unauthorized'];
const CRL_REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'unused (7)', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

function asn1Int(n: Asn1Node): number {
  let v = 0;
  for (const b of n.contents) v = v * 256 + b;
  return v;
}

/** "20261127082800Z" -> "2026-11-27 08:28:00 UTC" (read as certificates' times are); odd text as it is. */
function asn1Time(n: Asn1Node): string {
  try {
    return `${parseTime(n).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  } catch {
    return Buffer.from(n.contents).toString('latin1');
  }
}

function asn1Span(name: string, n: Asn1Node, value?: string, children?: RecordField[]): RecordField {
  return { name, offset: n.offset, length: n.headerLength + n.length, ...(value !== undefined ? { value } : {}), ...(children ? { children } : {}) };
}

/** The DER inside an OCTET STRING: parsed already when it parses, else parsed here. */
function wrapped(n: Asn1Node): Asn1Node | undefined {
  if (n.children.length === 1) return n.children[0];
  try {
    return parseDerAt(n.contents, n.offset + n.headerLength);
  } catch {
    return undefined;
  }
}

function singleResponseNode(n: Asn1Node, index: number): { node: RecordField; summary: string } {
  const [certId, status, thisUpdate, ...rest] = n.children;
  const children: RecordField[] = [];
  let serial = '';
  if (certId?.children.length === 4) {
    const [hashAlg, nameHash, keyHash, serialNumber] = certId.children;
    serial = Buffer.from(serialNumber.contents).toString('hex');
    const hashOid = hashAlg.children[0] ? decodeOid(hashAlg.children[0].contents) : '';
    children.push(
      asn1Span('certID', certId, `serial ${serial}`, [
        asn1Span('hashAlgorithm', hashAlg, hashOid ? describeOid(hashOid) : undefined),
        asn1Span('issuerNameHash', nameHash, hex(nameHash.contents)),
        asn1Span('issuerKeyHash', keyHash, hex(keyHash.contents)),
        asn1Span('serialNumber', serialNumber, serial),
      ]),
    );
  }
  let state = 'unreadable';
  if (status?.tagClass === 'context') {
    if (status.tagNumber === 0) state = 'good';
    else if (status.tagNumber === 2) state = 'unknown';
    else if (status.tagNumber === 1) {
      const when = status.children[0] ? asn1Time(status.children[0]) : '?';
      const reason = status.children[1]?.children[0];
      state = `revoked at ${when}${reason ? `, ${CRL_REASONS[asn1Int(reason)] ?? asn1Int(reason)}` : ''}`;
    }
    children.push(asn1Span('certStatus', status, state));
  }
  if (thisUpdate) children.push(asn1Span('thisUpdate', thisUpdate, asn1Time(thisUpdate)));
  const next = rest.find((c) => c.tagClass === 'context' && c.tagNumber === 0);
  if (next?.children[0]) children.push(asn1Span('nextUpdate', next, asn1Time(next.children[0])));
  return { node: asn1Span(`SingleResponse ${index + 1}`, n, `${state}, serial ${serial}`, children), summary: state };
}

/** An OCSPResponse taken apart as tshark does: status, responder, times, and each certificate's status. */
export function ocspResponseNode(name: string, offset: number, der: Uint8Array): RecordField {
  const fallback: RecordField = { ...bytesNode(name, offset, der), note: 'not a readable OCSP response' };
  let root: Asn1Node;
  try {
    root = parseDerAt(der, offset, 'an OCSP response');
  } catch {
    return fallback;
  }
  const [statusNode, bytesTagged] = root.children;
  if (!statusNode || statusNode.tagNumber !== 10) return fallback;
  const status = OCSP_RESPONSE_STATUS[asn1Int(statusNode)] ?? `unknown (${asn1Int(statusNode)})`;
  const children: RecordField[] = [asn1Span('responseStatus', statusNode, `${status} (${asn1Int(statusNode)})`)];
  const node: RecordField = { name, offset, length: der.length, value: status, children };
  const responseBytes = bytesTagged?.children[0];
  if (!responseBytes) return node;
  const [typeNode, octets] = responseBytes.children;
  const typeOid = typeNode ? decodeOid(typeNode.contents) : '';
  const rbChildren: RecordField[] = [asn1Span('responseType', typeNode, typeOid === '1.3.6.1.5.5.7.48.1.1' ? `id-pkix-ocsp-basic (${typeOid})` : typeOid)];
  children.push(asn1Span('responseBytes', bytesTagged, undefined, rbChildren));
  const basic = octets && typeOid === '1.3.6.1.5.5.7.48.1.1' ? wrapped(octets) : undefined;
  if (!basic) return node;
  const [tbs, sigAlg, signature, certs] = basic.children;
  const basicChildren: RecordField[] = [];
  const summaries: string[] = [];
  if (tbs) {
    const tbsChildren: RecordField[] = [];
    // version [0] EXPLICIT, DEFAULT v1: usually left out.
    const first = tbs.children[0];
    const fields = first?.tagClass === 'context' && first.tagNumber === 0 ? tbs.children.slice(1) : tbs.children;
    const [responder, producedAt, responses] = fields;
    if (responder?.tagClass === 'context' && responder.tagNumber === 1 && responder.children[0]) {
      tbsChildren.push(asn1Span('responderID', responder, `byName: ${distinguishedNameText(responder.children[0].encoded)}`));
    } else if (responder?.tagClass === 'context' && responder.tagNumber === 2 && responder.children[0]) {
      tbsChildren.push(asn1Span('responderID', responder, `byKey: ${hex(responder.children[0].contents)}`));
    }
    if (producedAt) tbsChildren.push(asn1Span('producedAt', producedAt, asn1Time(producedAt)));
    if (responses) {
      const single = responses.children.map(singleResponseNode);
      summaries.push(...single.map((x) => x.summary));
      tbsChildren.push(asn1Span('responses', responses, `${single.length} ${single.length === 1 ? 'response' : 'responses'}`, single.map((x) => x.node)));
    }
    basicChildren.push(asn1Span('tbsResponseData', tbs, undefined, tbsChildren));
  }
  if (sigAlg?.children[0]) {
    const oid = decodeOid(sigAlg.children[0].contents);
    basicChildren.push(asn1Span('signatureAlgorithm', sigAlg, describeOid(oid)));
  }
  // A BIT STRING: its first byte counts the unused bits.
  if (signature) basicChildren.push(asn1Span('signature', signature, hex(signature.contents.subarray(1))));
  if (certs) {
    const count = certs.children[0]?.children.length ?? 0;
    basicChildren.push(asn1Span('certs', certs, `${count} ${count === 1 ? 'certificate' : 'certificates'}`));
  }
  rbChildren.push(asn1Span('BasicOCSPResponse', basic, undefined, basicChildren));
  if (summaries.length > 0) node.value = `${status}, certificate ${summaries.join('; ')}`;
  return node;
}

// ---------------------------------------------------------------------------------------------
// Handshake message bodies

function certificateSubject(der: Uint8Array): string {
  try {
    return describeCertificate(der).subject;
  } catch {
    return 'not a readable X.509 certificate';
  }
}

/** The node for one top-level field of a message body, taken apart where it is a list. */
function bodyField(body: HandshakeBody, span: FieldSpan): RecordField {
  const { field, offset, length } = span;
  const base: RecordField = { name: field, offset, length };
  switch (body.kind) {
    case 'client_hello':
      switch (field) {
        case 'legacy_version':
          return codeNode(field, offset, 2, body.legacyVersion);
        case 'random':
          return bytesNode(field, offset, body.random);
        case 'legacy_session_id':
          return { ...base, value: body.sessionId.length ? hex(body.sessionId) : '(empty)', children: [lengthNode(offset, 1, body.sessionId.length)] };
        case 'cipher_suites':
          return codeList(field, offset, 2, 2, body.cipherSuites, 'cipher suite');
        case 'legacy_compression_methods':
          return codeList(field, offset, 1, 1, body.compressionMethods, 'method');
        case 'extensions':
          return extensionsNode(span, body.extensions, true);
      }
      break;
    case 'server_hello':
      switch (field) {
        case 'legacy_version':
          return codeNode(field, offset, 2, body.legacyVersion);
        case 'random':
          return { ...bytesNode(field, offset, body.random), ...(body.isHelloRetryRequest ? { note: 'the HelloRetryRequest value: SHA-256("HelloRetryRequest")' } : {}), ...(body.downgradeSentinel ? { note: `downgrade sentinel: negotiated ${body.downgradeSentinel}` } : {}) };
        case 'legacy_session_id_echo':
          return { ...base, value: body.sessionId.length ? hex(body.sessionId) : '(empty)', children: [lengthNode(offset, 1, body.sessionId.length)] };
        case 'cipher_suite':
          return codeNode(field, offset, 2, body.cipherSuite);
        case 'legacy_compression_method':
          return codeNode(field, offset, 1, body.compressionMethod);
        case 'extensions':
          return extensionsNode(span, body.extensions);
      }
      break;
    case 'certificate':
      if (field === 'certificate_request_context') {
        return { ...base, value: body.certificateRequestContext?.length ? hex(body.certificateRequestContext) : '(empty)' };
      }
      if (field === 'certificate_list') {
        const children: RecordField[] = [lengthNode(offset, 3, length - 3)];
        body.certificateList.forEach((entry, i) => {
          const der = entry.certData;
          const subject = certificateSubject(der);
          const entryChildren: RecordField[] = [
            lengthNode(entry.offset, 3, der.length),
            {
              name: body.form === 'tls13' ? 'cert_data' : 'ASN.1Cert',
              offset: entry.offset + 3,
              length: der.length,
              value: subject,
              certificateDer: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'),
            },
          ];
          if (body.form === 'tls13') {
            const extAt = entry.offset + 3 + der.length;
            entryChildren.push(extensionsNode({ field: 'extensions', offset: extAt, length: entry.offset + entry.length - extAt }, entry.extensions));
          }
          children.push({ name: `certificate ${i + 1}`, offset: entry.offset, length: entry.length, value: subject, children: entryChildren });
        });
        return { ...base, value: `${body.certificateList.length} certificates`, children };
      }
      break;
    case 'server_key_exchange':
      switch (field) {
        case 'curve_type':
          return body.ecdh ? codeNode(field, offset, 1, body.ecdh.curveType) : base;
        case 'namedcurve':
          return body.ecdh ? codeNode(field, offset, 2, body.ecdh.namedCurve) : base;
        case 'public':
          return body.ecdh ? { ...bytesNode(field, offset + 1, body.ecdh.publicPoint), offset, length, children: [lengthNode(offset, 1, body.ecdh.publicPoint.length), bytesNode('point', offset + 1, body.ecdh.publicPoint)] } : base;
        case 'psk_identity_hint': {
          // RFC 4279, Section 2: opaque psk_identity_hint<0..2^16-1>, as tshark shows it ("Hint Length: 8").
          const hint = body.pskIdentityHint;
          if (!hint) return base;
          return { ...base, value: hint.length === 0 ? '(empty)' : text.decode(hint), children: [lengthNode(offset, 2, hint.length), bytesNode(field, offset + 2, hint)] };
        }
        case 'algorithm':
          return body.signatureAlgorithm ? codeNode(field, offset, 2, body.signatureAlgorithm) : base;
        case 'signature':
          return body.signature ? { ...base, value: hex(body.signature), children: [lengthNode(offset, 2, body.signature.length), bytesNode('signature', offset + 2, body.signature)] } : base;
        case 'dh_p':
        case 'dh_g':
        case 'dh_Ys': {
          // RFC 5246, Section 7.4.3: each an opaque<1..2^16-1>, as tshark shows them ("p Length: 256").
          const value = body.dh ? (field === 'dh_p' ? body.dh.dhP : field === 'dh_g' ? body.dh.dhG : body.dh.dhYs) : undefined;
          if (!value) return base;
          const shown = field === 'dh_p' ? `${bitLength(value)}-bit prime: ${hex(value)}` : hex(value);
          return { ...base, value: shown, children: [lengthNode(offset, 2, value.length), bytesNode(field, offset + 2, value)] };
        }
      }
      break;
    case 'client_key_exchange': {
      // Each an opaque vector: 2-byte length (1 byte for ecdh_Yc), as tshark shows ("Pubkey Length: 65").
      const withLength = (bytes: Uint8Array, prefix: number): RecordField[] =>
        length === prefix + bytes.length ? [lengthNode(offset, prefix, bytes.length), bytesNode(field, offset + prefix, bytes)] : [];
      if (field === 'EncryptedPreMasterSecret' && body.encryptedPreMasterSecret) {
        return { ...base, value: hex(body.encryptedPreMasterSecret), note: "the pre-master secret, encrypted to the server's RSA key", children: withLength(body.encryptedPreMasterSecret, 2) };
      }
      if ((field === 'ecdh_Yc' || field === 'dh_Yc') && body.publicValue) {
        return { ...base, value: hex(body.publicValue), note: "the client's ephemeral public key", children: withLength(body.publicValue, field === 'ecdh_Yc' ? 1 : 2) };
      }
      if (field === 'psk_identity' && body.pskIdentity) {
        return { ...base, value: body.pskIdentity.length === 0 ? '(empty)' : text.decode(body.pskIdentity), children: withLength(body.pskIdentity, 2) };
      }
      break;
    }
    case 'finished':
      return { ...base, value: hex(body.verifyData, 64) };
    case 'certificate_verify':
      if (field === 'algorithm' && body.algorithm) return codeNode(field, offset, 2, body.algorithm);
      if (field === 'signature') return { ...base, value: hex(body.signature), children: [lengthNode(offset, 2, body.signature.length), bytesNode('signature', offset + 2, body.signature)] };
      break;
    case 'encrypted_extensions':
      if (field === 'extensions') return extensionsNode(span, body.extensions);
      break;
    case 'certificate_request':
      if (field === 'extensions') return extensionsNode(span, body.extensions);
      if (field === 'certificate_types' && body.certificateTypes) return codeList(field, offset, 1, 1, body.certificateTypes, 'type');
      if (field === 'supported_signature_algorithms' && body.supportedSignatureAlgorithms) {
        return codeList(field, offset, 2, 2, body.supportedSignatureAlgorithms, 'scheme');
      }
      if (field === 'certificate_authorities') return authoritiesNode(field, offset, body.certificateAuthorities ?? []);
      if (field === 'certificate_request_context') return { ...base, value: body.certificateRequestContext?.length ? hex(body.certificateRequestContext) : '(empty)' };
      break;
    case 'new_session_ticket':
      switch (field) {
        case 'ticket_lifetime':
        case 'ticket_lifetime_hint':
          return { ...base, value: `${body.ticketLifetime} s` };
        case 'ticket_age_add':
          return { ...base, value: String(body.ticketAgeAdd) };
        case 'ticket_nonce':
          return { ...base, value: body.ticketNonce ? hex(body.ticketNonce) : '' };
        case 'ticket':
          return { ...base, value: hex(body.ticket) };
        case 'extensions':
          return extensionsNode(span, body.extensions);
      }
      break;
    case 'key_update':
      return codeNode(field, offset, 1, body.requestUpdate);
    case 'compressed_certificate':
      switch (field) {
        case 'algorithm':
          return codeNode(field, offset, 2, body.algorithm);
        case 'uncompressed_length':
          return { ...base, value: String(body.uncompressedLength) };
        case 'compressed_certificate_message': {
          const data = body.compressedCertificateMessage;
          const node: RecordField = { ...base, value: `${data.length} bytes of ${body.algorithm.name}`, children: [lengthNode(offset, 3, data.length), bytesNode(field, offset + 3, data)] };
          if (body.problem) node.note = body.problem;
          if (body.certificate) {
            // The decompressed Certificate has no bytes on the wire: its fields point at the compressed data.
            const inner = body.certificate;
            const onWire = (n: RecordField): RecordField => ({ ...n, offset: offset + 3, length: data.length, ...(n.children ? { children: n.children.map(onWire) } : {}) });
            node.children?.push({
              name: 'Certificate (decompressed)',
              offset: offset + 3,
              length: data.length,
              value: `${inner.certificateList.length} certificates`,
              note: `${body.uncompressedLength} bytes once decompressed; each field below lies inside the compressed data`,
              children: inner.fields.map((span) => onWire(bodyField(inner, span))),
            });
          }
          return node;
        }
      }
      break;
    case 'certificate_status': {
      if (field === 'status_type') return codeNode(field, offset, 1, body.statusType);
      const ocsp = ocspResponseNode('OCSPResponse', offset + 3, body.ocspResponse);
      return { ...base, value: ocsp.value, children: [lengthNode(offset, 3, body.ocspResponse.length), ocsp] };
    }
    default:
      break;
  }
  return base;
}

/** One handshake message as a tree, offsets in the handshake stream. */
export function handshakeMessageTree(message: HandshakeMessage): RecordField {
  const body = message.body;
  const typeName = handshakeMessageName(message.msgType);
  const children: RecordField[] = [
    {
      name: 'msg_type',
      offset: message.offset,
      length: 1,
      code: message.msgType,
      value: `${typeName} (${message.msgType})`,
      ...(isUnknown(typeName) ? { unknown: true } : {}),
    },
    lengthNode(message.offset + 1, 3, Math.max(0, message.length - 4)),
  ];
  const node: RecordField = { name: message.name, offset: message.offset, length: message.length, children };
  if (body.kind === 'malformed') {
    const at = body.errorOffset ?? message.offset;
    const end = message.offset + message.length;
    children.push({
      name: body.field ?? 'body',
      offset: Math.min(at, end),
      length: Math.max(1, end - at),
      malformed: body.error,
      value: `malformed at offset ${at}`,
    });
    node.malformed = body.error;
    return node;
  }
  if (body.kind === 'raw') {
    children.push({ ...bytesNode('body', message.offset + 4, body.body), note: 'not decoded: shown raw' });
    if (isUnknown(typeName)) node.unknown = true;
    return node;
  }
  for (const span of body.fields) children.push(bodyField(body, span));
  if (message.malformed !== undefined) node.malformed = message.malformed;
  if (body.kind === 'client_hello' && body.serverName) node.value = `SNI ${body.serverName}`;
  if (body.kind === 'server_hello') node.value = `${body.version.name}, ${body.cipherSuite.name}`;
  if (body.kind === 'compressed_certificate') {
    const inside = body.certificate?.certificateList.length;
    node.value = inside !== undefined ? `${body.algorithm.name}: ${inside} certificate${inside === 1 ? '' : 's'} inside` : `${body.algorithm.name}, not decompressed`;
  }
  if (body.kind === 'certificate_status') {
    const response = children.find((c) => c.name === 'response')?.value;
    if (response !== undefined) node.value = `${body.statusType.name}: ${response}`;
  }
  return node;
}

/**
 * Moves a tree from one coordinate system to another (shift) and keeps only what lies in
 * [start, end) of the original: the part of a message that one record carried.
 */
export function placeTree(node: RecordField, shift: number, start: number, end: number, elsewhere: string): RecordField | null {
  const from = Math.max(node.offset, start);
  const to = Math.min(node.offset + node.length, end);
  if (to <= from && !(node.length === 0 && node.offset >= start && node.offset <= end)) return null;
  const placed: RecordField = { ...node, offset: from + shift, length: Math.max(0, to - from) };
  if (from > node.offset || to < node.offset + node.length) placed.note = node.note ? `${node.note}; ${elsewhere}` : elsewhere;
  if (node.children) {
    placed.children = node.children.map((c) => placeTree(c, shift, start, end, elsewhere)).filter((c): c is RecordField => c !== null);
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// Records

export const RECORD_HEADER_LENGTH = 5;

export function recordHeaderTree(entry: TlsRecordEntry, haveBytes: number): RecordField {
  const children: RecordField[] = [];
  if (haveBytes >= 1) {
    const name = contentTypeName(entry.contentType);
    children.push({
      name: 'content_type',
      offset: 0,
      length: 1,
      code: entry.contentType,
      value: `${name} (${entry.contentType})`,
      ...(isUnknown(name) ? { unknown: true } : {}),
    });
  }
  if (haveBytes >= 3) {
    children.push({ name: 'legacy_record_version', offset: 1, length: 2, code: entry.version, value: `${versionName(entry.version)} (${codeHex(entry.version, 4)})` });
  }
  if (haveBytes >= 5) children.push({ name: 'length', offset: 3, length: 2, value: String(entry.length) });
  return { name: 'Record header', offset: 0, length: Math.min(RECORD_HEADER_LENGTH, haveBytes), value: entry.contentTypeName, children };
}

/** Alert records: level and description pairs (RFC 8446, Section 6). */
export function alertTree(body: Uint8Array, offset: number): RecordField[] {
  const out: RecordField[] = [];
  for (let i = 0; i + 1 < body.length; i += 2) {
    const level = alertLevelName(body[i]);
    const description = alertDescriptionName(body[i + 1]);
    out.push({
      name: 'Alert',
      offset: offset + i,
      length: 2,
      value: `${level}, ${description}`,
      children: [
        { name: 'level', offset: offset + i, length: 1, code: body[i], value: `${level} (${body[i]})`, ...(isUnknown(level) ? { unknown: true } : {}) },
        {
          name: 'description',
          offset: offset + i + 1,
          length: 1,
          code: body[i + 1],
          value: `${description} (${body[i + 1]})`,
          ...(isUnknown(description) ? { unknown: true } : {}),
        },
      ],
    });
  }
  if (body.length % 2 !== 0 || body.length === 0) {
    out.push({ name: 'alert', offset, length: body.length, malformed: `an alert is 2 bytes (level, description); this one carries ${body.length}` });
  }
  return out;
}

export interface ProtectionShape {
  /** Bytes of explicit nonce or CBC IV at the front of the body. */
  recordIvLength: number;
  /** AEAD tag at the end (0 for CBC, whose MAC is inside the ciphertext unless encrypt-then-MAC). */
  tagLength: number;
  /** CBC: HMAC key length, which is the MAC's length. */
  macKeyLength?: number;
  protection: 'aead-explicit-nonce' | 'aead-xor-nonce' | 'cbc' | 'null';
}

/** The body of a protected record on the wire, cut as the suite cuts it. */
export function protectedBodyTree(length: number, shape: ProtectionShape | undefined, encryptThenMac = false): RecordField {
  if (shape?.protection === 'null') {
    // A NULL cipher: the content travels as it is, followed by its MAC (RFC 5246, Section 6.2.3.1).
    return { name: 'protected_record', offset: RECORD_HEADER_LENGTH, length, value: `${length} bytes: the content in the clear, then its MAC (NULL cipher: not encrypted)` };
  }
  const node: RecordField = { name: 'encrypted_record', offset: RECORD_HEADER_LENGTH, length, value: `${length} bytes of ciphertext` };
  if (!shape || length < shape.recordIvLength + shape.tagLength) return node;
  const children: RecordField[] = [];
  let at = RECORD_HEADER_LENGTH;
  if (shape.recordIvLength > 0) {
    children.push({
      name: shape.protection === 'cbc' ? 'IV' : 'nonce_explicit',
      offset: at,
      length: shape.recordIvLength,
      note: shape.protection === 'cbc' ? 'the record IV (RFC 5246, Section 6.2.3.2)' : 'the explicit part of the GCM nonce (RFC 5288, Section 3)',
    });
    at += shape.recordIvLength;
  }
  // Encrypt-then-MAC (RFC 7366): the MAC follows the ciphertext, over the header and all of it.
  const trailingMac = shape.protection === 'cbc' && encryptThenMac ? (shape.macKeyLength ?? 0) : 0;
  const cipherLength = length - shape.recordIvLength - shape.tagLength - trailingMac;
  if (cipherLength < 0) return node;
  children.push({
    name: shape.protection === 'cbc' ? (trailingMac > 0 ? 'ciphertext (content and padding)' : 'ciphertext (content, MAC and padding)') : 'ciphertext',
    offset: at,
    length: cipherLength,
  });
  at += cipherLength;
  if (trailingMac > 0) children.push({ name: 'MAC', offset: at, length: trailingMac, note: 'encrypt-then-MAC (RFC 7366): over the header, the IV and the ciphertext' });
  if (shape.tagLength > 0) children.push({ name: 'authentication tag', offset: at, length: shape.tagLength });
  node.children = children;
  return node;
}

/** Every handshake message that has bytes in the given fragment, placed into the record's coordinates. */
export function handshakeTrees(
  fragment: HandshakeFragment,
  messages: readonly HandshakeMessage[],
  shift: number,
): RecordField[] {
  const start = fragment.offset;
  const end = fragment.offset + fragment.length;
  const out: RecordField[] = [];
  for (const m of messages) {
    if (m.offset + m.length <= start || m.offset >= end) continue;
    const whole = m.offset >= start && m.offset + m.length <= end;
    const placed = placeTree(handshakeMessageTree(m), shift, start, end, 'the rest of it travelled in another record');
    if (!placed) continue;
    if (!whole) placed.value = placed.value ? `${placed.value} (part)` : 'part of the message';
    out.push(placed);
  }
  return out;
}

/** Application data: one node over the bytes, its start as text where it is text. */
export function applicationDataTree(bytes: Uint8Array, offset: number): RecordField {
  let preview = '';
  for (const b of bytes.subarray(0, 48)) preview += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0d || b === 0x0a ? '⏎' : '.';
  return { name: 'application_data', offset, length: bytes.length, value: bytes.length > 48 ? `${preview}…` : preview };
}

export function isHandshake(contentType: number): boolean {
  return contentType === CONTENT_TYPE.handshake;
}
