import { types } from 'node:util'
import { advice as adviceFor, type Advice } from './advice.js'
import { t, type Inert } from './outside-text.js'

/**
 * Errors the action expects and explains. Each says what happened, and most carry their advice
 * (advice.ts): the failure line is what happened followed by the fix. `main` prints it through
 * `core.setFailed` and keeps the stack for the debug log. Anything that is not an ActionError is
 * a bug and says so.
 */
export class ActionError extends Error {
  /** Inert: outside text in it has been through outside-text.ts's `t`. */
  declare readonly message: Inert
  /** What happened, with its particulars: the failure line without its fix. */
  readonly what: Inert
  /** Why, and what to do. Absent: what happened says what to do in its own words. */
  readonly advice?: Advice

  constructor(what: Inert, advice?: Advice) {
    super(advice ? told(what, advice) : what)
    this.name = new.target.name
    this.what = what
    if (advice) this.advice = advice
  }

  /**
   * The same failure with more said of it (say, what became of the dataset after it), before its
   * fix: same class and fields, so the job summary explains it as it would the original.
   */
  adding(more: Inert): this {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this) as object), this) as this
    const what = t`${this.what} ${more}`
    const message = this.advice ? told(what, this.advice) : what
    for (const [key, value] of Object.entries({ what, message })) {
      Object.defineProperty(copy, key, { value, writable: true, configurable: true })
    }
    // A function, so that `$&` and its kin in outside text are not read as replacement patterns.
    copy.stack = this.stack?.replace(this.message, () => message)
    return copy
  }
}

/** The failure line: what happened, as a sentence, then the fix. */
function told(what: Inert, advice: Advice): Inert {
  return /[.!?]$/.test(what) ? t`${what} ${advice.fix}` : t`${what}. ${advice.fix}`
}

/** A bad input value: raised before any network call. */
export class InputError extends ActionError {}

/** The NDJSON file is missing, not a file, empty, or has bad lines. */
export class FileCheckError extends ActionError {
  constructor(
    what: Inert,
    readonly path: string,
    advice?: Advice
  ) {
    super(what, advice)
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
    what: Inert,
    readonly status: number,
    /** The server's own words, shortened and redacted (plain text: interpolate it into `t`). */
    readonly serverMessage: string,
    /** The server's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number,
    advice?: Advice
  ) {
    super(what, advice)
  }
}

/** The API answered 2xx with something that is not what it promises. */
export class BadAnswerError extends ActionError {
  constructor(what: Inert, advice: Advice = adviceFor('badAnswer')) {
    super(what, advice)
  }
}

/** A listing ran past the action's caps on pages, datasets or bytes: the project holds too many. */
export class TooManyDatasetsError extends ActionError {
  constructor(what: Inert) {
    super(what, adviceFor('tooManyDatasets'))
  }
}

/** The request never got an answer (connection error, timeout, stall). */
export class TransportError extends ActionError {
  constructor(
    what: Inert,
    readonly code: string,
    advice?: Advice
  ) {
    super(what, advice)
  }

  /** Aborted by us, or a request that could not even be made: another try cannot help. */
  get final(): boolean {
    return this.code === 'EABORTED' || this.code === 'EINVALID'
  }
}

/** The signed-URL upload was refused, kept failing, or was never sent. */
export class UploadError extends ActionError {
  constructor(
    what: Inert,
    /** The storage's HTTP status; 0 when it gave none. */
    readonly status: number,
    /** The storage's error code (`ExpiredToken`, say), or the connection's; empty when none. */
    readonly storageCode: string,
    /** The storage's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number,
    advice?: Advice
  ) {
    super(what, advice)
  }
}

/**
 * The storage already holds the file (412: an earlier attempt landed, its answer lost), but Nexus
 * has not confirmed it took it. The dataset is kept: another create would make a twin.
 */
export class UploadUnconfirmedError extends ActionError {
  constructor(
    what: Inert,
    readonly datasetId: string
  ) {
    super(what, adviceFor('uploadUnconfirmed', datasetId))
  }
}

/** The dataset reached FailedUpload or FailedProcessing, or did not get ready in time. */
export class DatasetNotReadyError extends ActionError {
  constructor(
    what: Inert,
    /** `datasetFailed`: a final failed status; `datasetTimeout`: the wait ran out. */
    advice: Advice & { kind: 'datasetFailed' | 'datasetTimeout' }
  ) {
    super(what, advice)
  }
}

/** if-exists: fail, and a not-expired dataset of that name exists. */
export class DatasetExistsError extends ActionError {
  constructor(what: Inert) {
    super(what, adviceFor('exists'))
  }
}

/** The run was cancelled (SIGINT or SIGTERM from the runner). */
export class CancelledError extends ActionError {}

/**
 * What a caught value says: an Error's message, anything else as text. Node's own errors made in
 * another realm (a test's VM context) are Errors too, though not `instanceof` this one's.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error || types.isNativeError(error) ? error.message : String(error)
}

/**
 * What an error says happened, without its fix: how a failure is told inside another message (a
 * failed clean-up after it, one deletion among many), where its own advice would not fit.
 */
export function whatHappened(error: unknown): string {
  return error instanceof ActionError ? error.what : errorMessage(error)
}
