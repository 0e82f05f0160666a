import { isApiError } from './client';

/** What to tell the user about a failed request: the problem+json title and detail. */
export function describeError(error: unknown): { title: string; message: string } {
  if (isApiError(error)) {
    return { title: error.title, message: error.detail || `The server answered ${error.status}.` };
  }
  if (error instanceof Error) return { title: 'Something went wrong', message: error.message };
  return { title: 'Something went wrong', message: 'Please try again.' };
}
