import type { RequestHandler } from 'express';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * For a demo on this machine only. A `Secure` cookie is meant to travel over HTTPS, but Chrome and
 * Firefox count http://localhost and http://127.0.0.1 as secure too (nothing there leaves the
 * machine), so they keep a Secure cookie from them; Safari does not
 * (github.com/webcompat/web-bugs/issues/142566, github.com/mdn/content/issues/41366). express-session sends a Secure cookie only when it believes
 * the request came over HTTPS (`req.secure`), and here it did not. When both the address the
 * browser asked for and the connection are loopback, this tells express-session what the browser
 * already assumes. Anywhere else it changes nothing: a real site serves HTTPS, where `req.secure`
 * is true by itself (behind a proxy, with `trust proxy`, as lesson 11 shows).
 */
export const loopbackCountsAsSecure: RequestHandler = (req, _res, next) => {
  if (loopbackHosts.has(req.hostname) && loopbackAddresses.has(req.socket.remoteAddress ?? '')) {
    Object.defineProperty(req, 'secure', { value: true });
  }
  next();
};
