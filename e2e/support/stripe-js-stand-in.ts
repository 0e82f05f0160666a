import type { BrowserContext } from '@playwright/test';

/**
 * A stand-in for Stripe.js and its Payment Element, served in place of
 * https://js.stripe.com by route interception (Stripe is unreachable here).
 * Like the real one, the element is an iframe on js.stripe.com's origin with
 * the card field inside it; on confirm, the frame sends the card to
 * api.stripe.com (routed to the local API stand-in), so the page and our
 * server never see the number. It implements only what @stripe/react-stripe-js
 * and our form call: elements(), create('payment'), mount, on/off, update,
 * destroy, elements.submit() and confirmPayment({ redirect: 'if_required' }).
 */
const stripeJs = `(() => {
  const FRAME = 'https://js.stripe.com/v3/elements-inner-payment-standin.html';
  function ask(frame, kind, payload) {
    return new Promise((resolve) => {
      const id = Math.random().toString(36).slice(2);
      function onMessage(event) {
        if (event.source !== frame.contentWindow || !event.data || event.data.id !== id) return;
        window.removeEventListener('message', onMessage);
        resolve(event.data.answer);
      }
      window.addEventListener('message', onMessage);
      frame.contentWindow.postMessage({ id, kind, payload }, 'https://js.stripe.com');
    });
  }
  window.Stripe = function Stripe(publishableKey) {
    return {
      _registerWrapper() {},
      registerAppInfo() {},
      createToken() {},
      createPaymentMethod() {},
      confirmCardPayment() {},
      elements(options) {
        let frame = null;
        const elements = {
          options,
          update(next) { Object.assign(elements.options, next); },
          create(type) {
            const handlers = {};
            const element = {
              mount(node) {
                const target = typeof node === 'string' ? document.querySelector(node) : node;
                frame = document.createElement('iframe');
                frame.src = FRAME;
                frame.title = 'Secure payment input frame';
                frame.setAttribute('data-stand-in', 'stripe-payment-element');
                frame.style.cssText = 'width:100%;height:64px;border:0';
                frame.addEventListener('load', () => (handlers.ready || []).forEach((f) => f({ elementType: type })));
                target.appendChild(frame);
              },
              on(event, fn) { (handlers[event] = handlers[event] || []).push(fn); return element; },
              off(event, fn) { handlers[event] = (handlers[event] || []).filter((f) => f !== fn); return element; },
              update() {},
              unmount() { if (frame) frame.remove(); },
              destroy() { if (frame) frame.remove(); frame = null; },
            };
            return element;
          },
          getElement() { return null; },
          submit() { return ask(frame, 'validate', {}); },
          _confirm(clientSecret) { return ask(frame, 'confirm', { clientSecret, publishableKey }); },
        };
        return elements;
      },
      confirmPayment({ elements, clientSecret }) { return elements._confirm(clientSecret); },
    };
  };
})();`;

const elementFrame = `<!doctype html><html lang="en"><body style="margin:0;font-family:sans-serif">
<label>Card number <input id="number" autocomplete="cc-number" inputmode="numeric"></label>
<script>
window.addEventListener('message', async (event) => {
  const { id, kind, payload } = event.data || {};
  const number = document.getElementById('number').value.replace(/\\D/g, '');
  let answer;
  if (kind === 'validate') {
    answer = number.length >= 12 ? {} : { error: { type: 'validation_error', message: 'Your card number is incomplete.' } };
  } else if (kind === 'confirm') {
    const intent = payload.clientSecret.split('_secret_')[0];
    const body = new URLSearchParams({ client_secret: payload.clientSecret, key: payload.publishableKey, 'payment_method_data[type]': 'card', 'payment_method_data[card][number]': number });
    const response = await fetch('https://api.stripe.com/v1/payment_intents/' + intent + '/confirm', { method: 'POST', body });
    const data = await response.json();
    answer = response.ok ? { paymentIntent: data } : { error: data.error };
  }
  event.source.postMessage({ id, answer }, event.origin);
});
</script></body></html>`;

/** Serves the stand-in for js.stripe.com and forwards api.stripe.com to the local API stand-in. */
export async function routeStripe(context: BrowserContext, apiBase: string): Promise<void> {
  await context.route('https://js.stripe.com/**', (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/stripe.js')) return route.fulfill({ status: 200, contentType: 'application/javascript', body: stripeJs });
    if (url.pathname.endsWith('elements-inner-payment-standin.html')) return route.fulfill({ status: 200, contentType: 'text/html', body: elementFrame });
    return route.fulfill({ status: 404, body: '' });
  });
  await context.route('https://api.stripe.com/**', async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${apiBase}${url.pathname}${url.search}` });
    await route.fulfill({ response });
  });
}
