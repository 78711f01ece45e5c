// Where to send the browser after sign-in: only a path on this site. Browsers read `\` as `/` and drop
// tabs and newlines inside URLs, so `/\evil.example` or `/%5Cevil.example` would leave the site; anything
// that is not plainly a local path is answered with the home page.
const FALLBACK = "/";
const PLACEHOLDER_ORIGIN = "http://local.invalid";
// Control characters, backslashes and a leading `//` change what a browser makes of the URL.
const SUSPICIOUS = /[\u0000-\u001f\u007f\\]|^\/\//;
const MAX_DECODES = 3;

/** `raw` as a normalised same-origin path (path, query, hash), or "/" when it could lead anywhere else. */
export function safeCallbackPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.length > 2000) return FALLBACK;
  // Check every decoding layer, so an encoded `%2F%2F` or `%5C` cannot turn into `//` or `\` downstream.
  let layer = raw;
  for (let i = 0; i <= MAX_DECODES; i++) {
    if (SUSPICIOUS.test(layer)) return FALLBACK;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return FALLBACK;
    }
    if (decoded === layer) break;
    if (i === MAX_DECODES) return FALLBACK; // nested deeper than any honest link
    layer = decoded;
  }
  const url = new URL(raw, PLACEHOLDER_ORIGIN);
  if (url.origin !== PLACEHOLDER_ORIGIN) return FALLBACK;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return SUSPICIOUS.test(path) ? FALLBACK : path;
}

/**
 * next-auth's redirect callback: a same-origin absolute URL or a path, made safe; anything else goes to
 * the site's home page.
 */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  const origin = new URL(baseUrl).origin;
  if (url.startsWith("/")) return `${origin}${safeCallbackPath(url)}`;
  let absolute: URL;
  try {
    absolute = new URL(url);
  } catch {
    return origin;
  }
  if (absolute.origin !== origin) return origin;
  return `${origin}${safeCallbackPath(`${absolute.pathname}${absolute.search}${absolute.hash}`)}`;
}
