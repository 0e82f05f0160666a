import { PaymentLinkPage } from './payment-link-page';
import { PortalPage } from './portal-page';

/**
 * The patient pages by address: /pay (the portal, ?practice=slug) and
 * /pay/:token (a payment link). Two fixed pages need no router, which keeps
 * it out of the patients' bundle.
 */
export function PortalApp() {
  const { pathname, search } = window.location;
  const token = /^\/pay\/([^/]+)\/?$/.exec(pathname)?.[1];
  if (token) return <PaymentLinkPage token={decodeURIComponent(token)} />;
  return <PortalPage practice={new URLSearchParams(search).get('practice')} />;
}
