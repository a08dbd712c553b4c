// The headers a browser adds when a page navigates, as a form submission does, to another address.

/**
 * The headers current browsers add to a form submitted from a page at `from` to `to`: Origin,
 * and Sec-Fetch-Site (sent to HTTPS and loopback addresses). Two hosts count as two sites here:
 * true of the loopback names the demos use, while on the web subdomains of one domain are one site.
 */
export function browserHeaders(from: string, to: string): Record<string, string> {
  const [a, b] = [new URL(from), new URL(to)];
  const site =
    a.origin === b.origin ? 'same-origin' : a.hostname === b.hostname ? 'same-site' : 'cross-site';
  return { origin: a.origin, 'sec-fetch-site': site };
}

/**
 * Every header a browser adds when a form on the page at `from` is submitted to `to`
 * (https://fetch.spec.whatwg.org/ and https://w3c.github.io/webappsec-fetch-metadata/):
 * - Origin on a POST, same-origin included, never on a GET navigation;
 * - Referer under the default policy strict-origin-when-cross-origin: the whole address within
 *   one origin, only the origin across origins;
 * - Sec-Fetch-Site, Sec-Fetch-Mode: navigate and Sec-Fetch-Dest: document, to potentially
 *   trustworthy addresses only (https, localhost, loopback IPs), as browsers send them.
 */
export function navigationHeaders(
  from: string,
  to: string,
  method: string,
): Record<string, string> {
  const [a, b] = [new URL(from), new URL(to)];
  const { origin, 'sec-fetch-site': site } = browserHeaders(from, to);
  const headers: Record<string, string> = {
    referer: a.origin === b.origin ? `${a.origin}${a.pathname}${a.search}` : `${a.origin}/`,
  };
  if (method.toLowerCase() === 'post') headers.origin = origin;
  if (trustworthy(b)) {
    Object.assign(headers, {
      'sec-fetch-site': site,
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    });
  }
  return headers;
}

function trustworthy(url: URL): boolean {
  const host = url.hostname;
  return (
    url.protocol === 'https:' ||
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.startsWith('127.') ||
    host === '[::1]'
  );
}
