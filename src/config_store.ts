/**
 * Settings of the subscription store: `DATABASE_URL` (PostgreSQL) or, by
 * default, SQLite under `DATA_DIR`.
 *
 * @module
 */

import { z } from "zod";
import { empty } from "./config_fields.ts";

/** Store settings in the config schema. */
export const STORE_FIELDS = {
  /** PostgreSQL for the store; unset: SQLite at `DATA_DIR/tickgate.db`. */
  DATABASE_URL: z.preprocess(
    empty,
    z.string().trim().refine(
      (u) => /^postgres(ql)?:\/\/\S+$/.test(u) && URL.canParse(u),
      "expected a postgres:// URL (percent-encode special characters of the password)",
    ).optional(),
  ),
};

/** `DATABASE_URL` may carry a password. */
export const STORE_SECRET_KEYS = ["DATABASE_URL"] as const;
