import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { fakeView } from "./_fake_registry.ts";
import { createApi } from "./app.ts";
import { API_KEY_SCHEME, servedRoutes } from "./openapi.ts";

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
}
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, unknown>;
  };
};

async function served() {
  const api = createApi(fakeView({ apiKey: "k" }));
  const res = await api.request("/openapi.json");
  assert.equal(res.status, 200);
  return { api, doc: await res.json() as Doc };
}

/** `path` with `{param}`s filled in. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "x");

Deno.test("/openapi.json is a valid OpenAPI 3.1 document", async () => {
  const { doc } = await served();
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  const validator = new Validator();
  const result = await validator.validate(doc as Record<string, unknown>);
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
});

Deno.test("/openapi.json documents exactly the routes the app serves, with their methods", async () => {
  const { api, doc } = await served();
  const servedOps = servedRoutes(api).flatMap((r) =>
    r.methods.map((m) => `${m} ${r.path}`)
  ).sort();
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)
  ).sort();
  assert.deepEqual(documented, servedOps);
  for (
    const op of [
      "GET /",
      "GET /health",
      "GET /stats",
      "GET /metrics",
      "GET /pairs",
      "GET /api/v1/latest",
      "GET /api/v1/balances",
      "GET /api/v1/subscriptions",
      "POST /api/v1/subscriptions",
      "GET /api/v1/subscriptions/{id}",
      "DELETE /api/v1/subscriptions/{id}",
      "DELETE /api/v1/subscriptions/by-service/{service}",
      "GET /openapi.json",
    ]
  ) assert.ok(documented.includes(op), op);
  const index = await (await api.request("/")).json();
  assert.deepEqual(index.routes, [
    ...new Set(servedRoutes(api).map((r) => r.path)),
  ]);
});

Deno.test("the documented security is what the app enforces: X-API-Key on every /api/v1 route but latest", async () => {
  const { doc } = await served();
  assert.deepEqual(doc.components.securitySchemes[API_KEY_SCHEME], {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  const api = createApi(fakeView({ apiKey: "k" }));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const guarded = op.security !== undefined;
      assert.equal(
        guarded,
        path.startsWith("/api/v1/") && path !== "/api/v1/latest",
        `${method} ${path}`,
      );
      const res = await api.request(concrete(path), {
        method: method.toUpperCase(),
      });
      await res.body?.cancel();
      assert.equal(res.status === 401, guarded, `${method} ${path}`);
      if (guarded) {
        assert.deepEqual(op.security, [{ [API_KEY_SCHEME]: [] }]);
        for (const status of ["401", "429", "503"]) {
          assert.ok(status in op.responses, `${method} ${path} ${status}`);
        }
      }
    }
  }
});

Deno.test("the subscription schemas in the document come from the zod definitions", async () => {
  const { doc } = await served();
  const request = doc.components.schemas.SubscriptionRequest as {
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { maxItems?: number; items?: unknown }>;
  };
  assert.deepEqual(request.required.sort(), ["channel", "service", "venue"]);
  assert.equal(request.additionalProperties, false);
  assert.equal(request.properties.symbols?.maxItems, 500);
  const sub = doc.components.schemas.Subscription as {
    properties: Record<string, { enum?: string[] }>;
  };
  assert.deepEqual(sub.properties.status?.enum, [
    "active",
    "pending",
    "rejected",
  ]);
  const list = doc.paths["/api/v1/subscriptions"]?.get;
  assert.deepEqual(
    list?.parameters?.map((p) => `${p.in}:${p.name}`).sort(),
    ["channel", "service", "status", "symbol", "venue"].map((n) =>
      `query:${n}`
    ),
  );
  const byId = doc.paths["/api/v1/subscriptions/{id}"]?.delete;
  assert.deepEqual(byId?.parameters?.map((p) => `${p.in}:${p.name}`), [
    "path:id",
  ]);
  assert.ok("409" in (byId?.responses ?? {}));
});
