/**
 * kafkajs client settings shared by the Kafka sink and `tickgate tail`
 * (timeouts, retries, kafkajs's log routed to ours), and the classification
 * of kafkajs errors: whether the broker is merely unreachable, and the
 * {@link DeliveryError} a failed call becomes.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import type { Logger } from "@logtape/logtape";
import { type KafkaConfig, logLevel } from "kafkajs";
import { stopIdleCheckLoop } from "./kafkajs_idle_loop.ts";
import { DeliveryError } from "./types.ts";

/** Connection and request timeout of the sink's Kafka clients, ms. */
export const KAFKA_TIMEOUT_MS = 5000;

/**
 * The longest one `connect()` or `send()` may take. kafkajs retries once
 * inside (useful for fast errors such as a moved partition leader); a
 * broker that does not answer fails the call after one request timeout and
 * a half, so an outage surfaces quickly and the queue takes over.
 */
export const KAFKA_DEADLINE_MS = 1.5 * KAFKA_TIMEOUT_MS;

/** Produce errors about the records themselves: retrying cannot help. */
const PERMANENT_TYPES = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "INVALID_TOPIC_EXCEPTION",
]);

/** kafkajs errors that mean "the network or broker is down", not a refusal. */
const NETWORK_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSLockTimeout",
  "KafkaJSTimeout",
]);

/**
 * kafkajs client settings shared by the sink and `tickgate tail`: short
 * connection and request timeouts, one internal retry, kafkajs's own log
 * routed to `logger` at debug level. Installs the fix of
 * `kafkajs_idle_loop.ts` first.
 *
 * @example Usage
 * ```ts
 * const kafka = new Kafka(kafkaClientConfig(["127.0.0.1:9092"], "tickgate", log("tail")));
 * ```
 */
export function kafkaClientConfig(
  brokers: string[],
  clientId: string,
  logger: Logger,
): KafkaConfig {
  stopIdleCheckLoop();
  return {
    brokers,
    clientId,
    connectionTimeout: KAFKA_TIMEOUT_MS,
    requestTimeout: KAFKA_TIMEOUT_MS,
    enforceRequestTimeout: true,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.INFO,
    logCreator: () => ({ namespace, log: entry }) => {
      logger.debug("kafkajs {namespace}: {detail}", {
        namespace: namespace || "Client",
        detail: entry.message,
        error: entry.error,
      });
    },
  };
}

/**
 * The {@link DeliveryError} a failed kafkajs call becomes: a DeliveryError
 * as is, else one naming the call and the (redacted) target, permanent
 * when the broker refused the records themselves (too large, invalid).
 *
 * @example Usage
 * ```ts
 * throw kafkaDeliveryError(e, "send", "kafka://127.0.0.1:9092");
 * // DeliveryError "Kafka send to kafka://127.0.0.1:9092: …"
 * ```
 */
export function kafkaDeliveryError(
  e: unknown,
  what: string,
  shown: string,
): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const permanent = PERMANENT_TYPES.has(rootError(e).type ?? "");
  const text = `Kafka ${what} to ${shown}: ${errorText(e)}`;
  return new DeliveryError(text, { permanent });
}

interface KafkaErrorLike {
  name?: string;
  type?: string;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
}

/** The innermost cause of a kafkajs error (retries and aggregates unwrapped). */
function rootError(e: unknown): KafkaErrorLike {
  let cur = (e ?? {}) as KafkaErrorLike;
  for (let i = 0; i < 10; i++) {
    const next = cur.cause ?? cur.errors?.[0];
    if (next === undefined || next === null || next === cur) break;
    cur = next as KafkaErrorLike;
  }
  return cur;
}

/**
 * Whether an error means the broker is unreachable or slow (worth retrying
 * as is).
 *
 * @example Usage
 * ```ts
 * if (isNetworkError(e)) throw e; // not a refusal: keep the current plan
 * ```
 */
export function isNetworkError(e: unknown): boolean {
  const root = rootError(e);
  if (NETWORK_ERRORS.has(root.name ?? "")) return true;
  return root.name === "KafkaJSProtocolError" &&
    (root as { retriable?: boolean }).retriable === true;
}
