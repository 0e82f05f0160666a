/** The document types a payment accepts, recognised by their first bytes, not by what the upload claims. */
const signatures: Array<{ contentType: string; magic: number[] }> = [
  { contentType: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { contentType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
];

export const acceptedDocumentTypes = signatures.map((s) => s.contentType);

export function sniffDocumentType(head: Uint8Array): string | undefined {
  return signatures.find((s) => s.magic.every((byte, i) => head[i] === byte))?.contentType;
}
