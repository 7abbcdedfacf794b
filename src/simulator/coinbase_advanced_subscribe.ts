/**
 * Validation of Coinbase Advanced Trade `subscribe`/`unsubscribe` requests
 * for the simulator: one channel per message (the singular `channel` field),
 * known channels and products, and the error texts the simulator answers
 * with.
 *
 * @module
 */
import { errorText } from "../core/error_text.ts";
import { ADVANCED_CHANNELS } from "../venues/coinbase_advanced/channels.ts";
import { type Frame, isRecord, isStrings } from "./coinbase_subscribe.ts";

export type { Frame };

/** The wire `channel` of data messages, when it differs from the subscribe name. */
export const WIRE_CHANNEL: Readonly<Record<string, string>> = {
  level2: "l2_data",
};

/** Channels of the real feed that need a JWT; the simulator does not serve them. */
const AUTH_ONLY_CHANNELS = new Set(["user", "futures_balance_summary"]);

/** A validated request. */
export interface AdvancedRequest {
  /** Whether it subscribes or unsubscribes. */
  type: "subscribe" | "unsubscribe";
  /** The subscribe name of the channel (e.g. `level2`). */
  channel: string;
  /** Requested products, deduplicated; empty for `heartbeats`. */
  productIds: string[];
  /** The `jwt` field, when present. */
  jwt: string | undefined;
}

/** The JSON object in a client text frame, or null (not text, not JSON, not an object). */
export function parseJsonObject(data: unknown): Frame | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Parses a client text frame into an {@link AdvancedRequest}, or returns the
 * error message to answer with (the request then changes nothing).
 *
 * @example Usage
 * ```ts
 * const known = new Set(["BTC-USD"]);
 * const text = '{"type":"subscribe","channel":"ticker","product_ids":["BTC-USD"]}';
 * const request = parseAdvancedRequest(text, known);
 * // { type: "subscribe", channel: "ticker", productIds: ["BTC-USD"], jwt: undefined }
 * ```
 */
export function parseAdvancedRequest(
  text: unknown,
  knownProducts: ReadonlySet<string>,
): AdvancedRequest | string {
  if (typeof text !== "string") return "binary frames are not supported";
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${errorText(e)}`;
  }
  if (!isRecord(message)) return "malformed request: expected a JSON object";
  const type = message["type"];
  if (type !== "subscribe" && type !== "unsubscribe") {
    return `unsupported message type ${
      JSON.stringify(type ?? null)
    }: expected subscribe or unsubscribe`;
  }
  if (message["channels"] !== undefined) {
    return "the field is `channel` (one channel name per message), not `channels`";
  }
  const channel = message["channel"];
  if (typeof channel !== "string" || channel === "") {
    return "channel must be a channel name";
  }
  if (AUTH_ONLY_CHANNELS.has(channel)) {
    return `channel ${channel} is not supported by this simulator (it requires authentication)`;
  }
  if (!(ADVANCED_CHANNELS as readonly string[]).includes(channel)) {
    return `channel ${channel} is not a valid channel`;
  }
  const jwt = message["jwt"];
  if (jwt !== undefined && typeof jwt !== "string") {
    return "jwt must be a string";
  }
  const ids = message["product_ids"] ?? [];
  if (!isStrings(ids)) return "product_ids must be an array of strings";
  if (channel === "heartbeats") {
    return { type, channel, productIds: [], jwt };
  }
  const productIds = [...new Set(ids)];
  const unknown = productIds.find((id) => !knownProducts.has(id));
  if (unknown !== undefined) {
    return `product_id ${unknown} is not a valid product`;
  }
  if (productIds.length === 0) {
    return `channel ${channel} needs at least one product_id`;
  }
  return { type, channel, productIds, jwt };
}
