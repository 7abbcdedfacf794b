/**
 * Resolving a subscription request against a venue's catalog: the channel
 * with its options folded in, the native symbols, and the streams they
 * become. Pure; refusals are {@link SubscriptionError}s naming the field.
 *
 * @module
 */

import type { StreamSpec } from "../transport/types.ts";
import type { VenueCatalog } from "../venues/types.ts";
import { hasOptions } from "./channel_options.ts";
import {
  SubscriptionError,
  type SubscriptionOptions,
  type SubscriptionRequest,
} from "./types.ts";

/** A request resolved for its venue. */
export interface ResolvedSubscription {
  /** The venue's channel name (options folded in). */
  channel: string;
  /** Native symbols, deduplicated, in request order. */
  symbols: string[];
  options: SubscriptionOptions;
  streams: StreamSpec[];
}

/**
 * Resolves `request` for a venue with `catalog` (`undefined`: the venue
 * takes no API subscriptions).
 *
 * @example Usage
 * ```ts ignore
 * resolveSubscription(coinbaseCatalog, { venue: "coinbase", channel: "matches", symbols: ["eth-usd"], service: "a" });
 * // { channel: "matches", symbols: ["ETH-USD"], options: {}, streams: [{ key: "matches:ETH-USD", … }] }
 * ```
 */
export function resolveSubscription(
  catalog: VenueCatalog | undefined,
  request: SubscriptionRequest,
): ResolvedSubscription {
  const options = request.options ?? {};
  const channel = catalog?.channel(request.channel, options);
  if (catalog === undefined || channel === undefined) {
    if (catalog?.channels.includes(request.channel) && hasOptions(options)) {
      throw new SubscriptionError(
        "invalid",
        `channel ${request.channel} takes no such options`,
        "options",
      );
    }
    throw new SubscriptionError(
      "unknown_channel",
      `${request.venue} has no channel ${request.channel}${
        catalog ? ` (channels: ${catalog.channels.join(", ")})` : ""
      }`,
      "channel",
    );
  }
  const symbols = nativeSymbols(catalog, channel, request.symbols);
  return {
    channel,
    symbols,
    options,
    streams: catalog.streams(channel, symbols),
  };
}

function nativeSymbols(
  catalog: VenueCatalog,
  channel: string,
  symbols: readonly string[],
): string[] {
  if (!catalog.takesSymbols(channel)) {
    if (symbols.length > 0) {
      throw new SubscriptionError(
        "invalid",
        `channel ${channel} takes no symbols`,
        "symbols",
      );
    }
    return [];
  }
  if (symbols.length === 0) {
    throw new SubscriptionError(
      "invalid",
      `channel ${channel} needs at least one symbol`,
      "symbols",
    );
  }
  const out = new Set<string>();
  symbols.forEach((raw, i) => {
    const native = catalog.nativeSymbol(raw);
    if (native === undefined) {
      throw new SubscriptionError(
        "invalid",
        `symbol ${raw} is not listed by the venue`,
        `symbols.${i}`,
      );
    }
    out.add(native);
  });
  return [...out];
}
