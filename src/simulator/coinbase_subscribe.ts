/**
 * Validation of Coinbase Exchange `subscribe`/`unsubscribe` requests for the
 * simulator: channel names, product ids, auth-only channels, and the error
 * reasons the feed answers with.
 *
 * @module
 */

/** A JSON object frame. */
export type Frame = Record<string, unknown>;

const PRODUCT_CHANNELS = new Set([
  "heartbeat",
  "ticker",
  "matches",
  "level2_batch",
]);
const AUTH_CHANNELS = new Set(["level2", "full", "level3", "user", "balance"]);
const UNSUPPORTED = new Set([
  "ticker_batch",
  "ticker_1000",
  "auctionfeed",
  "rfq_matches",
]);
const AUTH_FIELDS = ["signature", "key", "passphrase", "timestamp"];

/** Whether `value` is a JSON object. */
export function isRecord(value: unknown): value is Frame {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is an array of strings. */
export function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/**
 * Validates a subscribe/unsubscribe request into channel -> product ids
 * (root ids first, then the channel's own), or returns an error reason.
 */
export function parseChannels(
  msg: Frame,
  known: ReadonlySet<string>,
  subscribe: boolean,
): Map<string, string[]> | string {
  const root = msg["product_ids"] ?? [];
  if (!isStrings(root)) return "product_ids must be an array of strings";
  const channels = msg["channels"];
  if (!Array.isArray(channels) || (subscribe && channels.length === 0)) {
    return "channels must be a non-empty array";
  }
  const authed = AUTH_FIELDS.every((f) => typeof msg[f] === "string");
  const out = new Map<string, string[]>();
  for (const entry of channels) {
    const name: unknown = isRecord(entry) ? entry["name"] : entry;
    const own: unknown = isRecord(entry) ? entry["product_ids"] ?? [] : [];
    if (typeof name !== "string" || !isStrings(own)) {
      return "channels must be names or {name, product_ids} objects";
    }
    const channel = name === "level2_50" ? "level2_batch" : name;
    if (AUTH_CHANNELS.has(channel) && !authed) {
      return `${name} requires authentication (signature, key, passphrase, timestamp); use level2_batch for public level 2 data`;
    }
    if (AUTH_CHANNELS.has(channel) || UNSUPPORTED.has(channel)) {
      return `${name} is not supported by this simulator`;
    }
    if (channel !== "status" && !PRODUCT_CHANNELS.has(channel)) {
      return `${name} is not a valid channel`;
    }
    const ids = channel === "status"
      ? []
      : [...new Set([...out.get(channel) ?? [], ...root, ...own])];
    const unknown = ids.find((id) => !known.has(id));
    if (unknown !== undefined) return `${unknown} is not a valid product`;
    if (subscribe && channel !== "status" && ids.length === 0) {
      return `You need to specify at least one product ID for channel ${name}`;
    }
    out.set(channel, ids);
  }
  return out;
}
