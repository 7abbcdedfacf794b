import assert from "node:assert/strict";
import { loadConfig } from "../../config.ts";
import type { NormalizedEvent, StatusEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { mintJwt } from "./jwt.ts";
import { importCdpKey } from "./cdp_key.ts";
import { generateTestKey } from "./_test_keys.ts";
import { createCoinbaseAdvancedVenue } from "./venue.ts";

Deno.test("venue text is scrubbed of the key name and of JWTs before it is kept or shown", async () => {
  const key = await generateTestKey("organizations/o-42/apiKeys/k-42");
  const config = await loadConfig({
    env: {
      VENUES: "coinbase-advanced",
      COINBASE_API_KEY: key.name,
      COINBASE_API_SECRET: key.secretPem,
    },
  });
  const stats = new VenueStats("coinbase-advanced");
  const venue = createCoinbaseAdvancedVenue(config, stats);
  const jwt = await mintJwt(await importCdpKey(key.name, key.secretPem), 0);
  const out: NormalizedEvent[] = [];
  venue.parser.parse(
    JSON.stringify({
      type: "error",
      message: `authentication failure for ${key.name} (jwt ${jwt})`,
    }),
    Date.now(),
    "coinbase-advanced-0",
    out,
  );
  const texts = [
    (out[0] as StatusEvent).detail,
    stats.lastVenueError!,
    ...venue.warnings!(),
  ];
  assert.equal(venue.warnings!().length, 1);
  for (const text of texts) {
    assert.match(text, /authentication failure for \*\*\* \(jwt \*\*\*\)/);
    assert.ok(!text.includes(key.name) && !text.includes(jwt), text);
  }
});
