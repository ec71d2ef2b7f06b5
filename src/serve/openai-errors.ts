// Errors in OpenAI's shape, {error: {message, type, param, code}}, with the status that
// goes with each.
import type { ZodError } from "zod";

export type ErrorStatus = 400 | 401 | 404 | 408 | 413 | 429 | 500 | 503;

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Seconds a client should wait before trying again (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get body(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, "invalid_request_error", code, param);

export function fromZodError(error: ZodError): ApiError {
  const issue = error.issues[0]!;
  const param = issue.path.length ? issue.path.join(".") : null;
  const where = param ? `'${param}'` : "the request body";
  return invalidRequest(`Invalid value for ${where}: ${issue.message}`, param, "invalid_value");
}
