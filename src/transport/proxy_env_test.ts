import assert from "node:assert/strict";
import { defaultSocketFactory } from "./connection.ts";
import { proxyFor } from "./proxy_env.ts";
import type { SocketLike } from "./types.ts";
import { WsClient } from "./ws_client.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const wss = new URL("wss://stream.binance.com:9443/stream?streams=x");
const ws = new URL("ws://127.0.0.1:8080/feed");

Deno.test("proxyFor: HTTPS_PROXY for wss:, HTTP_PROXY for ws:, lower-case names too", () => {
  assert.equal(proxyFor(wss, env({})), undefined);
  assert.equal(
    proxyFor(wss, env({ HTTPS_PROXY: "http://p:3128" })),
    "http://p:3128",
  );
  assert.equal(proxyFor(wss, env({ https_proxy: "http://p:1" })), "http://p:1");
  assert.equal(proxyFor(wss, env({ HTTP_PROXY: "http://p:3128" })), undefined);
  assert.equal(proxyFor(ws, env({ http_proxy: "http://p:2" })), "http://p:2");
  assert.equal(proxyFor(ws, env({ HTTPS_PROXY: "http://p:3128" })), undefined);
});

Deno.test("proxyFor: NO_PROXY exempts *, hosts, domains and their subdomains, by port when given", () => {
  const p = { HTTPS_PROXY: "http://p:3128", HTTP_PROXY: "http://p:3128" };
  const exempt = (list: string, url: URL) =>
    proxyFor(url, env({ ...p, NO_PROXY: list })) === undefined;
  assert.ok(exempt("*", wss));
  assert.ok(exempt("binance.com", wss));
  assert.ok(exempt(".binance.com", wss));
  assert.ok(exempt("*.binance.com", wss));
  assert.ok(exempt("localhost, stream.binance.com:9443", wss));
  assert.ok(!exempt("stream.binance.com:443", wss));
  assert.ok(!exempt("inance.com", wss));
  assert.ok(!exempt("example.com", wss));
  assert.ok(exempt("127.0.0.1", ws));
  assert.ok(
    proxyFor(ws, env({ ...p, no_proxy: "127.0.0.1:8080" })) === undefined,
  );
  assert.ok(exempt("[::1]", new URL("ws://[::1]:9/x")));
});

Deno.test("defaultSocketFactory: a URL a proxy covers gets Deno's WebSocket, any other tickgate's client", async () => {
  const names = ["HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
  const saved = names.map((n) => [n, Deno.env.get(n)] as const);
  const url = "ws://127.0.0.1:9/feed";
  let proxied: SocketLike;
  let exempt: SocketLike;
  let direct: SocketLike;
  try {
    for (const n of names) Deno.env.delete(n);
    direct = defaultSocketFactory(url);
    Deno.env.set("HTTP_PROXY", "http://127.0.0.1:9");
    proxied = defaultSocketFactory(url);
    Deno.env.set("NO_PROXY", "localhost,127.0.0.1");
    exempt = defaultSocketFactory(url);
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) Deno.env.delete(n);
      else Deno.env.set(n, v);
    }
  }
  assert.ok(direct instanceof WsClient);
  assert.ok(proxied instanceof WebSocket);
  assert.ok(exempt instanceof WsClient);
  await Promise.all(
    [direct, proxied, exempt].map((ws) =>
      new Promise((closed) => {
        ws.onclose = closed;
        ws.onerror = () => {};
        ws.close();
      })
    ),
  );
});
