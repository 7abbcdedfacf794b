import assert from "node:assert/strict";
import { probe } from "./probe.ts";

Deno.test("probe: 2xx is ok, anything else or no answer is not", async () => {
  const statuses = [200, 503];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("x", { status: statuses.shift() ?? 500 }),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  assert.deepEqual(await probe(`${base}/live`, 2000), {
    ok: true,
    status: 200,
    detail: `GET ${base}/live: 200`,
  });
  const down = await probe(`${base}/live`, 2000);
  assert.equal(down.ok, false);
  assert.equal(down.status, 503);
  const hung = await probe(
    `${base}/hang`,
    100,
    () => new Promise<Response>(() => {}),
  );
  assert.equal(hung.ok, false);
  assert.equal(hung.status, 0);
  const refused = await probe("http://127.0.0.1:1/", 2000);
  assert.equal(refused.ok, false);
});
