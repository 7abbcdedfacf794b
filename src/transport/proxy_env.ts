/**
 * Whether a WebSocket URL would go through an HTTP proxy by the variables
 * Deno's own `WebSocket` and `fetch` honour (`HTTP_PROXY` for `ws:`,
 * `HTTPS_PROXY` for `wss:`, `NO_PROXY`; lower-case names too). tickgate's
 * own client speaks no proxy protocol, so such a connection is left to
 * Deno's `WebSocket`.
 *
 * @module
 */

import { unbracket, wsEndpoint } from "./ws_endpoint.ts";

/**
 * The proxy `url` would use, or `undefined` when none is set for its scheme
 * or `NO_PROXY` exempts its host: `*`, a host, a domain (`example.com` or
 * `.example.com`, its subdomains too), each optionally with `:port`.
 *
 * @example Usage
 * ```ts
 * const env = (name: string) => ({ HTTPS_PROXY: "http://proxy:3128" })[name];
 * proxyFor(new URL("wss://stream.bybit.com/v5/public/linear"), env); // "http://proxy:3128"
 * ```
 */
export function proxyFor(
  url: URL,
  env: (name: string) => string | undefined,
): string | undefined {
  const name = url.protocol === "wss:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  const proxy = env(name) || env(name.toLowerCase());
  if (!proxy) return undefined;
  const exempt = env("NO_PROXY") || env("no_proxy") || "";
  const { hostname, port: portNumber } = wsEndpoint(url);
  const host = hostname.toLowerCase();
  const port = String(portNumber);
  for (const raw of exempt.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const domain = unbracket(m[1]!.replace(/^\*?\./, ""));
    if (m[2] !== undefined && m[2] !== port) continue;
    if (host === domain || host.endsWith(`.${domain}`)) return undefined;
  }
  return proxy;
}
