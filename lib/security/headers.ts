// Response headers for pages: a Content-Security-Policy whose scripts need this response's nonce (Next
// puts it on its own scripts when it finds it in the request's policy), and HSTS when served over HTTPS.
export const HSTS = "max-age=63072000; includeSubDomains";

/** A fresh, unguessable nonce for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

/** Everything comes from this app; scripts only with the nonce (and what they load), `eval` only in dev. */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React and the charts set style attributes, which a nonce cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

/** HTTPS as the browser sees it: said by the proxy in front (X-Forwarded-Proto) or by the site's URL. */
export function servedOverHttps(forwardedProto: string | null, siteUrl: string | undefined): boolean {
  const proto = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  return proto === "https" || Boolean(siteUrl?.toLowerCase().startsWith("https://"));
}
