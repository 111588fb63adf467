import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { AppEnv } from "../types";
import { ApiError, type ErrorDetail } from "./errors";

/**
 * Turns zod issues into API.md's `details`: one entry per offending field,
 * including one per unknown key that a strict schema rejected.
 */
function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        details.push({
          field: base ? `${base}.${key}` : key,
          code: "unknown_field",
          message: `Unknown field "${key}"`,
        });
      }
    } else {
      details.push({ field: base, code: issue.code, message: issue.message });
    }
  }
  return details;
}

export function validationError(error: z.ZodError, where?: string): ApiError {
  const details = issuesToDetails(error.issues);
  const fields = [...new Set(details.map((d) => d.field || where || "body"))];
  return new ApiError("validation_failed", `Invalid ${where ?? "request"}: ${fields.join(", ")}`, { details });
}

/** Every resource's sub-app: an OpenAPIHono whose validation failures become 400 `validation_failed`. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}
