/**
 * Errors as they cross a thread boundary: code, message and `userError` survive, so an `EdgeError` thrown in
 * a worker is the same `EdgeError` on the other side.
 */
import { EdgeError } from '../errors.js';

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  code: string;
  message: string;
  userError: boolean;
}

/** Turns anything thrown into a message-safe error (EdgeErrors keep their code and userError). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EdgeError) return { code: err.code, message: err.message, userError: err.userError };
  const e = err as { code?: unknown; message?: unknown; userError?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'HED_INTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(err),
    userError: e?.userError === true,
  };
}

/** The EdgeError a serialized error stands for. */
export function deserializeError(e: SerializedError): EdgeError {
  return new EdgeError(e.code, e.message, { userError: e.userError });
}
