import { URL_QUERY, URL_WEB } from './fast-path.js'
import { ExpiryMemo } from './expiry-memo.js'
import { MAX_URL_BYTES, URL_TOO_LONG, type UrlSink } from './url-capture.js'
import { UrlTable } from './url-table.js'

/**
 * The checks of the items' urls that need no request, made in the file's one pass (file-scan.ts
 * feeds the checker, which hands this the url of each good line): urls repeated from an earlier
 * line, urls that are not web urls, and signed urls that expire too soon. Each line costs a few
 * ns to keep its url's hash (compared at the end, url-table.ts); only a url with a query is read
 * for a signature (expiry-memo.ts), and only the first few of each kind are looked at closely, to
 * say what they are.
 */

/** The lines of each kind that are named (a warning the first, annotations all of them). */
export const FIRST_URL_LINES = 10
/** The duplicate check's memory at most. */
export const URL_TABLE_BYTES = 64 * 1024 * 1024
/** How much of a url a finding keeps to show. */
const URL_KEPT = 200

/** How many lines have a problem, and the first FIRST_URL_LINES of them. */
export interface Found<T> {
  count: number
  first: T[]
}

export interface DuplicateUrl {
  line: number
  /** The line that had the url first. */
  earlier: number
}

export interface NonWebUrl {
  line: number
  /** The url's first URL_KEPT characters. */
  url: string
  /** What it is instead: `its scheme is s3:`. */
  why: string
}

export interface ExpiringUrl {
  line: number
  /** The signing scheme, as signed-url.ts names it. */
  scheme: string
  expiresAt: number
}

export interface UrlFindings {
  duplicates: Found<DuplicateUrl>
  /**
   * Set when the file has more urls than the check for repeats holds: the first this many items'
   * urls were compared, the later ones not at all.
   */
  remembered?: number
  nonWeb: Found<NonWebUrl>
  expiring: Found<ExpiringUrl>
}

export class UrlChecks implements UrlSink {
  private readonly seen: UrlTable
  private items = 0
  private remembered: number | undefined
  private readonly nonWeb: Found<NonWebUrl> = { count: 0, first: [] }
  private readonly expiring: Found<ExpiringUrl> = { count: 0, first: [] }
  private readonly expiries = new ExpiryMemo()

  /** expiresBefore: epoch ms; a signature that expires before then is too short-lived. */
  constructor(
    private readonly expiresBefore: number,
    tableBytes = URL_TABLE_BYTES
  ) {
    this.seen = new UrlTable(tableBytes)
  }

  url(
    line: number,
    hashLo: number,
    hashHi: number,
    flags: number,
    text: Buffer,
    from: number,
    to: number
  ): void {
    this.items++
    if ((flags & URL_TOO_LONG) === 0 && !this.seen.full && !this.seen.add(hashLo, hashHi, line)) {
      this.remembered = this.items - 1
    }
    if ((flags & URL_WEB) === 0) {
      note(this.nonWeb, () => {
        const url = text.toString('utf8', from, to)
        const why = (flags & URL_TOO_LONG) !== 0 ? TOO_LONG : nonWebReason(url)
        return { line, url: url.slice(0, URL_KEPT), why }
      })
    } else if ((flags & URL_QUERY) !== 0) {
      const expiry = this.expiries.expiry(text, from, to)
      if (expiry !== undefined && expiry.expiresAt < this.expiresBefore) {
        note(this.expiring, () => ({ line, ...expiry }))
      }
    }
  }

  /** Once the file is read: what the checks found. */
  finish(): UrlFindings {
    const duplicates: Found<DuplicateUrl> = { count: 0, first: [] }
    this.seen.repeats((line, earlier) => {
      duplicates.count++
      // The first lines, though the repeats come in no order: a short list kept sorted.
      const first = duplicates.first
      if (first.length === FIRST_URL_LINES && line > first[FIRST_URL_LINES - 1].line) return
      let at = first.length
      while (at > 0 && first[at - 1].line > line) at--
      first.splice(at, 0, { line, earlier })
      first.length = Math.min(first.length, FIRST_URL_LINES)
    })
    const copy = <T>(found: Found<T>): Found<T> => ({ count: found.count, first: [...found.first] })
    return {
      duplicates,
      ...(this.remembered === undefined ? {} : { remembered: this.remembered }),
      nonWeb: copy(this.nonWeb),
      expiring: copy(this.expiring)
    }
  }
}

/** Counts a line; describes it (only then) while it is among the first. */
function note<T>(found: Found<T>, describe: () => T): void {
  if (found.first.length < FIRST_URL_LINES) found.first.push(describe())
  found.count++
}

const TOO_LONG = `it is longer than ${MAX_URL_BYTES / 1048576} MiB, more than any storage serves`

/** What a url that is not a web url (see urlFacts) is instead, in a few words. */
export function nonWebReason(url: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020]/.test(url)) return 'it holds a space or a control character'
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url.slice(0, 40))?.[1].toLowerCase()
  if (scheme === undefined) return 'it is a relative path, not an absolute URL'
  if (scheme.length === 1) return 'it is a Windows path, not a URL'
  if (scheme === 'http' || scheme === 'https') return 'it has no host'
  return `its scheme is ${scheme}:`
}
