import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

function multipart(fileName: string, contentType: string, data: Buffer) {
  const boundary = `----ledger${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, data, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c20000000049454e44ae426082', 'hex');

describe.each(dialects)('payment documents on %s', (dialect) => {
  const t = useTestApp(dialect, { maxDocumentBytes: 64 * 1024 });

  async function upload(paymentId: string, fileName: string, contentType: string, data: Buffer) {
    const { body, headers } = multipart(fileName, contentType, data);
    return t.request('POST', `/api/v1/payments/${paymentId}/documents`, { body, headers });
  }

  it('stores a PDF and an image on disk under the data folder and downloads them byte for byte', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { status: 'paid' });
    const saved = json(await upload(payment.id, 'receipt.pdf', 'application/pdf', pdf), 201);
    expect(saved).toMatchObject({ fileName: 'receipt.pdf', contentType: 'application/pdf', sizeBytes: pdf.length });
    json(await upload(payment.id, '../../evil name.png', 'image/png', png), 201);
    const list = json(await t.request('GET', `/api/v1/payments/${payment.id}/documents`), 200);
    expect(list.items.map((d: any) => d.fileName)).toEqual(['receipt.pdf', 'evil name.png']);
    expect(fs.existsSync(path.join(t.database.dataDir, 'documents', t.admin.actor.practiceId, saved.id))).toBe(true);
    const download = await t.request('GET', saved.downloadUrl);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(pdf)).toBe(true);
  });

  it('checks the content, not the claimed type, and refuses other files', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id);
    const fake = await upload(payment.id, 'invoice.pdf', 'application/pdf', Buffer.from('<html>not a pdf</html>'));
    expect(json(fake, 415).code).toBe('unsupported_document');
    const list = json(await t.request('GET', `/api/v1/payments/${payment.id}/documents`), 200);
    expect(list.total).toBe(0);
  });

  it('refuses a file over the size limit and keeps nothing of it', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id);
    const big = Buffer.concat([pdf, Buffer.alloc(70 * 1024, 0x20)]);
    expect(json(await upload(payment.id, 'big.pdf', 'application/pdf', big), 413).code).toBe('document_too_large');
    const dir = path.join(t.database.dataDir, 'documents', t.admin.actor.practiceId);
    const before = fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/documents`), 200).total).toBe(0);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir).length : 0).toBe(before);
  });

  it("hides another practice's documents", async () => {
    const patient = await makePatient(t, t.otherAdmin);
    const payment = await makePayment(t, patient.id, {}, t.otherAdmin);
    const { body, headers } = multipart('x.pdf', 'application/pdf', pdf);
    const saved = json(await t.request('POST', `/api/v1/payments/${payment.id}/documents`, { body, headers, as: t.otherAdmin }), 201);
    expect((await t.request('GET', saved.downloadUrl)).statusCode).toBe(404);
  });
});
