/**
 * The first page's requests, sent by a small script of their own that index.html runs before the app's code has
 * downloaded (ADR 0039): the session on every staff page, and on the payments list the page its URL names. The
 * API client hands each answer to the app's own request for it (`startEarly`), so the app behaves as before.
 */
import { startEarly } from './api/client';
import { readListParams, toApiQuery } from './features/payments/list-params';

const { pathname, search } = window.location;
// Signing in, an invitation and the patient pages have no staff session to ask for.
if (!/^\/(login|invite|pay)(\/|$)/.test(pathname)) {
  startEarly('/auth/me');
  // `/` goes to the payments list, without its search parameters.
  if (pathname === '/') startEarly('/payments', toApiQuery(readListParams(new URLSearchParams())));
  else if (/^\/payments\/?$/.test(pathname)) startEarly('/payments', toApiQuery(readListParams(new URLSearchParams(search))));
}
