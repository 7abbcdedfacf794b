import assert from "node:assert/strict";
import { parseSinkUrl, redactUrl, SinkUrlError, splitSinkList } from "./url.ts";

Deno.test("splitSinkList() splits on commas before a sink scheme only", () => {
  assert.deepEqual(
    splitSinkList(
      "stdout?kinds=trade,ticker, file:/tmp/a.ndjson?symbols=BTC-USD,ETH-USD,kafka://h1:9092,h2:9092?format=tick,redis://localhost:6379/0",
    ),
    [
      "stdout?kinds=trade,ticker",
      "file:/tmp/a.ndjson?symbols=BTC-USD,ETH-USD",
      "kafka://h1:9092,h2:9092?format=tick",
      "redis://localhost:6379/0",
    ],
  );
  assert.deepEqual(splitSinkList(" stdout ,"), ["stdout"]);
  assert.deepEqual(splitSinkList(""), []);
});

Deno.test("parseSinkUrl() reads file paths, formats, filters and options", () => {
  const s = parseSinkUrl(
    "file:./data/events.ndjson?kinds=trade,status&symbols=btc-usd&venues=coinbase&max_file_mb=8&name=tape",
    3,
  );
  assert.equal(s.scheme, "file");
  assert.equal(s.target, "./data/events.ndjson");
  assert.equal(s.format, "canonical");
  assert.equal(s.name, "tape");
  assert.deepEqual([...s.filter.kinds!], ["trade", "status"]);
  assert.deepEqual([...s.filter.symbols!], ["BTC-USD"]);
  assert.deepEqual([...s.filter.venues!], ["coinbase"]);
  assert.deepEqual(s.options, { max_file_mb: "8" });
  assert.equal(
    parseSinkUrl("file:///var/log/t.ndjson", 1).target,
    "/var/log/t.ndjson",
  );
  const out = parseSinkUrl("stdout", 2);
  assert.equal(out.name, "stdout-2");
  assert.equal(out.filter.kinds, undefined);
});

Deno.test("parseSinkUrl() rejects what it cannot honour, naming the problem", async (t) => {
  const cases: [string, RegExp][] = [
    ["ftp://x", /unknown scheme/],
    [
      "redis://localhost:6379?format=tick",
      /format "tick" is not available for redis/,
    ],
    ["kafka://h:9092?linger=5", /unknown option "linger"/],
    ["stdout?format=flat", /format "flat" is not available for stdout/],
    ["stdout?kinds=trades", /unknown kind "trades"/],
    ["stdout?venues=kraken", /unknown venue "kraken"/],
    ["file:", /a file path is required/],
    ["stdout/foo", /unknown scheme|takes no path/],
    ["file:/tmp/x?max_file_mbb=3", /unknown option "max_file_mbb"/],
  ];
  for (const [url, re] of cases) {
    await t.step(url, () => {
      assert.throws(() => parseSinkUrl(url, 1), (e) => {
        assert.ok(e instanceof SinkUrlError);
        assert.match(e.message, re);
        return true;
      });
    });
  }
});

Deno.test("redactUrl() hides passwords and secret query values", () => {
  assert.equal(
    redactUrl("amqp://guest:guest@localhost:5672/"),
    "amqp://guest:***@localhost:5672/",
  );
  assert.equal(
    redactUrl("https://h/x?token=abc&kinds=trade&api_key=zzz"),
    "https://h/x?token=***&kinds=trade&api_key=***",
  );
  assert.equal(
    redactUrl("redis://localhost:6379/0?key=trades:{native}"),
    "redis://localhost:6379/0?key=trades:{native}",
  );
  assert.equal(
    redactUrl("https://h/x?apikey=a&access_key=b&private_key=c&password=d"),
    "https://h/x?apikey=***&access_key=***&private_key=***&password=***",
  );
  // Passwords written without percent-encoding are hidden whole.
  assert.equal(
    redactUrl("postgres://u:pa/ss#x@db:5432/t"),
    "postgres://u:***@db:5432/t",
  );
  assert.equal(redactUrl("postgres://u:p@w@db/t"), "postgres://u:***@db/t");
  assert.equal(redactUrl("redis://:pw@h:6379"), "redis://:***@h:6379");
});
