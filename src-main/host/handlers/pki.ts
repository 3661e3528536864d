// The certificate workshop's commands: handlers and parameter schemas.
import { z } from 'zod';
import type { PkiMethods } from '../../api/pkiMethods';
import type {
  PkiCaCreateRequest,
  PkiCsrCreateRequest,
  PkiCsrSignRequest,
  PkiDeleteRequest,
  PkiExportRequest,
  PkiForgeRequest,
  PkiImportRequest,
  PkiInspectRequest,
  PkiIssueRequest,
  PkiKeyType,
  PkiKeyUsage,
  PkiPassphraseSetRequest,
  PkiSubject,
  PkiTrustSpec,
  PkiVerifyRequest,
} from '../../api/pkiTypes';
import { WorkbenchError } from '../../errors';
import { exportFrom, importInto, verifyWith } from '../../workshop/exchange';
import type { Handlers, Schemas } from './types';

const none = z.object({}).strict() as z.ZodType<Record<string, never>>;
const name = z.string().trim().min(1, 'give a name').max(200);
const keyType: z.ZodType<PkiKeyType> = z.enum(['rsa:2048', 'rsa:3072', 'rsa:4096', 'ec:P-256', 'ec:P-384', 'ed25519'], {
  error: 'use one of rsa:2048, rsa:3072, rsa:4096, ec:P-256, ec:P-384, ed25519',
});
const subject: z.ZodType<PkiSubject> = z.union([
  z.string().min(1, 'give a subject, like /O=Lab/CN=Lab Root CA'),
  z
    .object({
      CN: z.string().optional(),
      O: z.string().optional(),
      OU: z.string().optional(),
      C: z.string().optional(),
      ST: z.string().optional(),
      L: z.string().optional(),
      emailAddress: z.string().optional(),
    })
    .strict(),
]);
const days = z.number().int().min(1, 'at least 1 day').max(36500, 'at most 36500 days');
const keyUsage: z.ZodType<PkiKeyUsage> = z.enum([
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]);
const profile = z.enum(['server', 'client']);
const id = z.number().int().positive();

const caCreate: z.ZodType<PkiCaCreateRequest> = z.object({
  name,
  subject,
  key: keyType.optional(),
  days: days.optional(),
  parent: name.optional(),
  pathLength: z.number().int().min(0).max(32).optional(),
  nameConstraints: z.object({ permitted: z.array(z.string()).optional(), excluded: z.array(z.string()).optional() }).optional(),
});

const issue: z.ZodType<PkiIssueRequest> = z.object({
  ca: name,
  name: name.optional(),
  subject,
  subjectAltNames: z.array(z.string()).optional(),
  profile: profile.optional(),
  keyUsage: z.array(keyUsage).optional(),
  extendedKeyUsage: z.array(z.string()).optional(),
  days: days.optional(),
  notBefore: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'give the start as an ISO date, like 2026-01-31T00:00:00Z').optional(),
  key: keyType.optional(),
});

const csrCreate: z.ZodType<PkiCsrCreateRequest> = z.object({
  name: name.optional(),
  subject,
  subjectAltNames: z.array(z.string()).optional(),
  key: keyType.optional(),
});

const csrSign: z.ZodType<PkiCsrSignRequest> = z.object({
  csrId: id.optional(),
  csr: z.string().optional(),
  ca: name,
  copyExtensions: z.boolean().optional(),
  profile: profile.optional(),
  days: days.optional(),
  name: name.optional(),
});

const importRequest: z.ZodType<PkiImportRequest> = z.object({
  dataBase64: z.string().optional(),
  text: z.string().optional(),
  fileName: z.string().optional(),
  passphrase: z.string().optional(),
  name: name.optional(),
});

const inspectRequest: z.ZodType<PkiInspectRequest> = z.union([
  z.object({ certificateId: id }).strict(),
  z.object({ csrId: id }).strict(),
  z.object({ text: z.string().min(1, 'paste a PEM certificate or CSR') }).strict(),
]);

const trust: z.ZodType<PkiTrustSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lab'), name }),
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'give the path of the PEM file') }),
  z.object({ kind: z.literal('dir'), path: z.string().min(1, 'give the path of the hash-link folder') }),
  z.object({ kind: z.literal('system') }),
]);

const verify: z.ZodType<PkiVerifyRequest> = z.object({
  certificateId: id.optional(),
  text: z.string().optional(),
  trust,
  intermediatesPem: z.array(z.string()).optional(),
  hostname: z.string().optional(),
  at: z.string().optional(),
  purpose: z.enum(['serverAuth', 'clientAuth', 'any']).optional(),
  partialChain: z.boolean().optional(),
});

const exportRequest: z.ZodType<PkiExportRequest> = z.object({
  id,
  format: z.enum(['pem', 'der', 'chain-pem', 'p12', 'key-pem', 'trust-folder']),
  password: z.string().optional(),
  legacy: z.boolean().optional(),
  path: z.string().min(1).optional(),
});

const forge: z.ZodType<PkiForgeRequest> = z.object({
  ca: name,
  hostname: z.string().trim().min(1, 'give the host name, like www.bank32.com').max(253),
  templatePem: z.string().optional(),
  store: z.boolean().optional(),
});

const deleteRequest: z.ZodType<PkiDeleteRequest> = z.object({ id: id.optional(), csrId: id.optional() });
const passphraseSet: z.ZodType<PkiPassphraseSetRequest> = z.object({ passphrase: z.string(), current: z.string().optional() });

function importBytes(request: PkiImportRequest): Uint8Array {
  if (request.dataBase64 !== undefined) return new Uint8Array(Buffer.from(request.dataBase64, 'base64'));
  if (request.text !== undefined) return new Uint8Array(Buffer.from(request.text, 'utf8'));
  throw new WorkbenchError('BAD_INPUT', 'give the file to import (its bytes as base64, or PEM text)');
}

export const PKI_HANDLERS: Handlers<PkiMethods> = {
  'pki.cas.list': (wb) => wb.workshop.list(),
  'pki.ca.create': async (wb, request) => strip(await wb.workshop.createCa(request)),
  'pki.cert.issue': async (wb, request) => strip(await wb.workshop.issue(request)),
  'pki.csr.create': async (wb, request) => strip(await wb.workshop.createCsr(request)),
  'pki.csr.sign': (wb, request) => wb.workshop.signCsr(request),
  'pki.import': (wb, request) =>
    importInto(wb.workshop, { bytes: importBytes(request), fileName: request.fileName, passphrase: request.passphrase, name: request.name }),
  'pki.inspect': (wb, request) => wb.workshop.inspect(request),
  'pki.verify': (wb, request) => verifyWith(wb.workshop, request),
  'pki.export': (wb, request) => exportFrom(wb.workshop, request),
  'pki.forge': (wb, request) => wb.workshop.forge(request),
  'pki.delete': (wb, request) => wb.workshop.delete(request),
  'pki.passphrase.set': (wb, { passphrase, current }) => wb.workshop.setPassphrase(passphrase, current),
  'pki.passphrase.unlock': (wb, { passphrase }) => wb.workshop.unlock(passphrase),
  'pki.passphrase.lock': (wb) => wb.workshop.lock(),
};

/** Private keys never travel in a result: they leave only through an export asked for. */
function strip<T extends { privateKey: unknown }>(result: T): Omit<T, 'privateKey'> {
  const { privateKey: _key, ...rest } = result;
  return rest;
}

export const PKI_SCHEMAS: Schemas<PkiMethods> = {
  'pki.cas.list': none,
  'pki.ca.create': caCreate,
  'pki.cert.issue': issue,
  'pki.csr.create': csrCreate,
  'pki.csr.sign': csrSign,
  'pki.import': importRequest,
  'pki.inspect': inspectRequest,
  'pki.verify': verify,
  'pki.export': exportRequest,
  'pki.forge': forge,
  'pki.delete': deleteRequest,
  'pki.passphrase.set': passphraseSet,
  'pki.passphrase.unlock': z.object({ passphrase: z.string() }),
  'pki.passphrase.lock': none,
};
