/**
 * Where a `ws:` or `wss:` URL points: the host as sockets take it and the
 * port, defaults filled in. The dialer and the proxy check read it alike.
 *
 * @module
 */

/** A host without the brackets a URL puts around an IPv6 literal. */
export function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/**
 * The host and port a `ws:` (default 80) or `wss:` (default 443) URL
 * connects to.
 *
 * @example Usage
 * ```ts
 * wsEndpoint(new URL("wss://[::1]/feed")); // { hostname: "::1", port: 443 }
 * ```
 */
export function wsEndpoint(url: URL): { hostname: string; port: number } {
  const port = url.port || (url.protocol === "wss:" ? "443" : "80");
  return { hostname: unbracket(url.hostname), port: Number(port) };
}
