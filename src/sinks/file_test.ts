import assert from "node:assert/strict";
import { join } from "node:path";
import type { NormalizedEvent } from "../core/events.ts";
import { canonicalJson } from "./canonical.ts";
import { FileSink } from "./file.ts";
import { parseSinkUrl } from "./url.ts";

function trade(i: number): NormalizedEvent {
  return {
    id: `coinbase:BTC-USD:trade:${i}`,
    kind: "trade",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1_700_000_000_000 + i,
    receivedTs: 1_700_000_000_001 + i,
    tradeId: String(i),
    price: "42000.01",
    size: "0.00100000",
    side: i % 2 === 0 ? "buy" : "sell",
  };
}

async function readLines(dir: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for await (const e of Deno.readDir(dir)) {
    const text = await Deno.readTextFile(join(dir, e.name));
    files.set(e.name, text.split("\n").filter((l) => l !== ""));
  }
  return files;
}

Deno.test("FileSink writes NDJSON, rotates by size and caps the total", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "nested", "events.ndjson");
    const line = canonicalJson(trade(0)).length + 1;
    // ~10 lines per file, total cap ~30 lines: at most 2 rotated files survive.
    const mb = 1024 * 1024;
    const spec = parseSinkUrl(
      `file:${path}?max_file_mb=${(line * 10) / mb}&max_total_mb=${
        (line * 30.5) / mb
      }`,
      1,
    );
    const sink = new FileSink(spec, canonicalJson);
    await sink.start();
    for (let i = 0; i < 100; i++) {
      sink.write([trade(i)]);
      if (i % 7 === 0) await sink.flush(); // several batches, several rotations
    }
    await sink.close();
    const files = await readLines(join(dir, "nested"));
    const names = [...files.keys()].sort();
    assert.ok(names.includes("events.ndjson"));
    const rotated = names.filter((n) => n !== "events.ndjson");
    assert.ok(sink.rotations >= 5, `rotations: ${sink.rotations}`);
    assert.ok(rotated.length <= 2, `rotated kept: ${rotated.join(",")}`);
    for (const n of rotated) {
      assert.match(n, /^events-\d{8}T\d{6}\.\d{3}Z(_\d+)?\.ndjson$/);
    }
    let total = 0;
    for (const n of names) {
      total += (await Deno.stat(join(dir, "nested", n))).size;
    }
    assert.ok(total <= line * 30.5, `total ${total} exceeds the cap`);
    // What survives is the newest data, contiguous and in order.
    const kept = [...rotated, "events.ndjson"].flatMap((n) => files.get(n)!)
      .map((l) => JSON.parse(l));
    const ids = kept.map((e) => Number(e.tradeId));
    assert.equal(ids.at(-1), 99);
    assert.deepEqual(ids, ids.map((_, i) => ids[0]! + i));
    assert.deepEqual(kept.at(-1), JSON.parse(canonicalJson(trade(99))));
    const st = sink.stats();
    assert.equal(st.published, 100);
    assert.equal(st.failed, 0);
    assert.equal(st.queued, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink appends to an existing file after a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spec = parseSinkUrl(`file:${join(dir, "e.ndjson")}`, 1);
    for (const batch of [[trade(1)], [trade(2), trade(3)]]) {
      const sink = new FileSink(spec, canonicalJson);
      await sink.start();
      sink.write(batch);
      await sink.close();
    }
    const lines = (await readLines(dir)).get("e.ndjson")!;
    assert.deepEqual(lines.map((l) => JSON.parse(l).tradeId), ["1", "2", "3"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink's size cap deletes only its own rotated files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Files that share the stem but are not this sink's rotations.
    const bystanders = [
      "events-btc.ndjson",
      "events-notes.ndjson",
      "events.txt",
    ];
    for (const name of bystanders) {
      await Deno.writeTextFile(join(dir, name), "x".repeat(4096) + "\n");
    }
    const line = canonicalJson(trade(0)).length + 1;
    const mb = 1024 * 1024;
    const spec = parseSinkUrl(
      `file:${join(dir, "events.ndjson")}?max_file_mb=${(line * 5) / mb}` +
        `&max_total_mb=${(line * 10.5) / mb}`,
      1,
    );
    const sink = new FileSink(spec, canonicalJson);
    await sink.start();
    for (let i = 0; i < 60; i++) {
      sink.write([trade(i)]);
      if (i % 3 === 0) await sink.flush();
    }
    await sink.close();
    assert.ok(sink.rotations >= 5);
    const names = new Set((await readLines(dir)).keys());
    for (const name of bystanders) {
      assert.ok(names.has(name), `${name} was deleted`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink delivers every event, in order, when writes outrun the batch size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sink = new FileSink(
      parseSinkUrl(`file:${join(dir, "e.ndjson")}`, 1),
      canonicalJson,
    );
    await sink.start();
    for (let i = 0; i < 5_000; i++) sink.write([trade(i)]); // > 4 full batches, no await
    await sink.close();
    const ids = (await readLines(dir)).get("e.ndjson")!.map((l) =>
      Number(JSON.parse(l).tradeId)
    );
    assert.deepEqual(ids, Array.from({ length: 5_000 }, (_, i) => i));
    assert.equal(sink.stats().published, 5_000);
    assert.equal(sink.stats().dropped, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
