import { types } from 'node:util'
import type { Inert } from './outside-text.js'

/**
 * Errors the action expects and explains. Each carries a message a person can
 * act on; `main` prints it through `core.setFailed` and keeps the stack for the
 * debug log. Anything that is not an ActionError is a bug and says so.
 */
export class ActionError extends Error {
  /** Inert: outside text in it has been through outside-text.ts's `t`. */
  declare readonly message: Inert

  constructor(message: Inert) {
    super(message)
    this.name = new.target.name
  }

  /**
   * The same failure told with more words (say, what became of the dataset after it): same class
   * and fields, so the job summary explains it as it would the original.
   */
  restated(message: Inert): this {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this) as object), this) as this
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true })
    // A function, so that `$&` and its kin in outside text are not read as replacement patterns.
    copy.stack = this.stack?.replace(this.message, () => message)
    return copy
  }
}

/** A bad input value: raised before any network call. */
export class InputError extends ActionError {}

/** The NDJSON file is missing, not a file, empty, or has bad lines. */
export class FileCheckError extends ActionError {
  constructor(
    message: Inert,
    readonly path: string
  ) {
    super(message)
  }
}

/**
 * url-problems: fail, and the items' URLs have problems: repeated, not http(s), signed to expire
 * too soon, or unreachable in the sample. Raised before anything is created.
 */
export class UrlCheckError extends ActionError {}

/** The Nexus API answered with a non-2xx status. */
export class NexusApiError extends ActionError {
  constructor(
    message: Inert,
    readonly status: number,
    /** The server's own words, shortened and redacted (plain text: interpolate it into `t`). */
    readonly serverMessage: string,
    /** The server's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number,
    /** The request addressed one dataset by its id (a 404 then means that dataset is gone). */
    readonly aboutDataset = false
  ) {
    super(message)
  }
}

/** The API answered 2xx with something that is not what it promises. */
export class BadAnswerError extends ActionError {}

/** A listing ran past the action's caps on pages, datasets or bytes: the project holds too many. */
export class TooManyDatasetsError extends ActionError {}

/** The request never got an answer (connection error, timeout, stall). */
export class TransportError extends ActionError {
  constructor(
    message: Inert,
    readonly code: string
  ) {
    super(message)
  }

  /** Aborted by us, or a request that could not even be made: another try cannot help. */
  get final(): boolean {
    return this.code === 'EABORTED' || this.code === 'EINVALID'
  }
}

/** The signed-URL upload was refused or kept failing. */
export class UploadError extends ActionError {
  constructor(
    message: Inert,
    readonly status: number,
    readonly storageCode: string,
    /** The storage's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

/** The dataset reached FailedUpload or FailedProcessing, or did not get ready in time. */
export class DatasetNotReadyError extends ActionError {
  constructor(
    message: Inert,
    /** `failed`: a final failed status; `timeout`: still in progress when the wait ran out. */
    readonly reason: 'failed' | 'timeout'
  ) {
    super(message)
  }
}

/** if-exists: fail, and a not-expired dataset of that name exists. */
export class DatasetExistsError extends ActionError {}

/** The run was cancelled (SIGINT or SIGTERM from the runner). */
export class CancelledError extends ActionError {}

/**
 * What a caught value says: an Error's message, anything else as text. Node's own errors made in
 * another realm (a test's VM context) are Errors too, though not `instanceof` this one's.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error || types.isNativeError(error) ? error.message : String(error)
}
