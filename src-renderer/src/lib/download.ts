// Bytes the engine sent as base64, handed to the browser as a file.
import { base64ToBytes } from './pki-asn1';

/** An object URL for the bytes; it holds them until URL.revokeObjectURL. */
export function objectUrlOf(bytes: Uint8Array, type: string): string {
  return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
}

/** Saves base64 bytes as a download named `fileName`, at once, with no link left in the page. */
export function downloadBase64(base64: string, fileName: string, type: string): void {
  const url = objectUrlOf(base64ToBytes(base64), type);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has taken its copy long before this.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
