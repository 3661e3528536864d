// The certificate workshop's commands and events (issue 3). Types only.
import type {
  PkiCaCreateRequest,
  PkiChangedEvent,
  PkiCsrCreateRequest,
  PkiCsrSignRequest,
  PkiCsrSigned,
  PkiCsrSummary,
  PkiDeleteRequest,
  PkiExportRequest,
  PkiExportResult,
  PkiForgeRequest,
  PkiForgeResult,
  PkiImportRequest,
  PkiImportResult,
  PkiInspection,
  PkiInspectRequest,
  PkiIssued,
  PkiIssueRequest,
  PkiJobEvent,
  PkiKeyProtection,
  PkiPassphraseSetRequest,
  PkiTree,
  PkiVerifyRequest,
  PkiVerifyResult,
} from './pkiTypes';

export interface PkiMethods {
  /** Everything in the workshop: CAs as trees with what each issued, other certificates, CSRs. */
  'pki.cas.list': { params: Record<string, never>; result: PkiTree };
  'pki.ca.create': { params: PkiCaCreateRequest; result: PkiIssued };
  'pki.cert.issue': { params: PkiIssueRequest; result: PkiIssued };
  'pki.csr.create': { params: PkiCsrCreateRequest; result: PkiCsrSummary };
  'pki.csr.sign': { params: PkiCsrSignRequest; result: PkiCsrSigned };
  'pki.import': { params: PkiImportRequest; result: PkiImportResult };
  'pki.inspect': { params: PkiInspectRequest; result: PkiInspection };
  'pki.verify': { params: PkiVerifyRequest; result: PkiVerifyResult };
  'pki.export': { params: PkiExportRequest; result: PkiExportResult };
  'pki.forge': { params: PkiForgeRequest; result: PkiForgeResult };
  'pki.delete': { params: PkiDeleteRequest; result: PkiTree };
  'pki.passphrase.set': { params: PkiPassphraseSetRequest; result: PkiKeyProtection };
  'pki.passphrase.unlock': { params: { passphrase: string }; result: PkiKeyProtection };
  'pki.passphrase.lock': { params: Record<string, never>; result: PkiKeyProtection };
}

export interface PkiEvents {
  'pki.changed': PkiChangedEvent;
  'pki.job': PkiJobEvent;
}

