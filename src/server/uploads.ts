import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';

/**
 * The one file of a multipart upload (field "file"), read whole, or undefined
 * when the form has none. A broken form (no boundary, cut short, bad part
 * headers) is the client's mistake: 400, not 500. Too large stays 413.
 */
export async function readUploadedFile(request: FastifyRequest, maxBytes: number): Promise<{ data: Buffer; fileName: string; truncated: boolean } | undefined> {
  try {
    const file = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
    if (!file) return undefined;
    const data = await file.toBuffer();
    return { data, fileName: file.filename, truncated: file.file.truncated };
  } catch (error) {
    if (error instanceof AppError) throw error;
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 413) throw new AppError('document_too_large', `The file is larger than ${Math.floor(maxBytes / 1048576)} MB.`);
    throw new AppError('validation_failed', 'The multipart/form-data upload is malformed; send one file in a field named "file".');
  }
}
