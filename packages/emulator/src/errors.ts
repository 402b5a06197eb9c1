/** Errors: the emulator's own (bad options) and the service-shaped error replies it sends. */

/** Thrown by `startEmulator` for options that cannot work; fix the option named in the message. */
export class EmulatorOptionsError extends Error {
  readonly code = 'EMULATOR_OPTIONS';
  readonly userError = true;

  constructor(message: string) {
    super(message);
    this.name = 'EmulatorOptionsError';
  }
}

/** Thrown by `startEmulator` when the port cannot be bound (in use, no permission). */
export class EmulatorListenError extends Error {
  readonly code = 'EMULATOR_LISTEN';
  readonly userError = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorListenError';
  }
}

/**
 * An error reply of the DashScope API: HTTP status plus `{code, message, request_id}`. Route handlers
 * throw it; the server turns it into the reply.
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** A 400 `InvalidParameter` reply: the request breaks one of the service's rules (the message says which). */
export function invalidParameter(message: string): ServiceError {
  return new ServiceError(400, 'InvalidParameter', message);
}

/** An error reply of the object store (upload host, result URLs): XML like Alibaba Cloud OSS. */
export class ObjectStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ObjectStoreError';
  }
}

/** The service's message for a bad/unknown key. */
export const INVALID_API_KEY_MESSAGE = 'Invalid API-key provided.';
/** The service's message for a submit or query over the rate limit. */
export const RATE_QUOTA_MESSAGE = 'Requests rate limit exceeded, please try again later.';
/** The service's message for a 500 `InternalError`. */
export const INTERNAL_ERROR_MESSAGE = 'An internal error has occured, please try again later or contact service support.';
/** The service's message for an input it could not fetch. */
export const DOWNLOAD_FAILED_MESSAGE = 'Failed to download multimodal content';
