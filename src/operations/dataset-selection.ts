import type { Logger } from '../shared/logger.js'
import type { ListingFacts } from './context.js'
import {
  FAILED_STATUSES,
  WAITING_STATUS,
  type Dataset,
  type RejectedEntry
} from '../nexus/types.js'
import { readableTime } from '../shared/format.js'
import { STATUS_SHOWN, shorten, t, type Inert } from '../shared/outside-text.js'

/** Expired means the expiry time is not in the future; no expiry time, not expired. */
export function isExpired(dataset: Dataset, now: number): boolean {
  return typeof dataset.expiryTime === 'number' && dataset.expiryTime <= now
}

/** A pattern's `*` and `?`, apart from the code points that stand for themselves. */
const ANY_RUN = -1
const ANY_ONE = -2

/**
 * The test of name-pattern, a glob matched against the whole name: `*` any run of characters
 * (none, and line breaks, included), `?` one character (a code point), every other character
 * itself. No regular expression: a backtracking one takes minutes on a long name the API sends
 * (`*a*a*a*a*b`). Greedy, remembering only the last `*`: on a mismatch that star takes one more
 * character and matching resumes after it. An earlier star never needs more (whatever it would
 * take, the last one can take instead), so at worst the work is name length × pattern length.
 */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const glob = Array.from(pattern, c => (c === '*' ? ANY_RUN : c === '?' ? ANY_ONE : cp(c, 0)))
  return name => {
    let p = 0 // into glob
    let n = 0 // into name, in UTF-16 units, always at the start of a code point
    let star = -1 // glob index after the last `*` seen
    let starEnd = 0 // where that star's run ends in name
    while (n < name.length) {
      const token = glob[p]
      const c = cp(name, n)
      if (token === ANY_RUN) {
        star = ++p
        starEnd = n
      } else if (token === ANY_ONE || token === c) {
        p++
        n += c > 0xffff ? 2 : 1
      } else if (star >= 0) {
        starEnd += cp(name, starEnd) > 0xffff ? 2 : 1
        p = star
        n = starEnd
      } else {
        return false
      }
    }
    while (glob[p] === ANY_RUN) p++
    return p === glob.length
  }
}

/** The code point at `index`, inside `text` (a lone surrogate is one, as with a regex's u flag). */
const cp = (text: string, index: number): number => text.codePointAt(index) as number

/** Warnings past this are counted, not listed. */
const REJECTED_SHOWN = 10

/**
 * Entries of a listing that are not datasets as the API promises (say an id that could steer a
 * request URL) are never shown in outputs nor acted on; each is named in a warning.
 */
export function warnRejected(log: Logger, rejected: readonly RejectedEntry[]): void {
  for (const entry of rejected.slice(0, REJECTED_SHOWN)) {
    log.warning(
      t`Skipped entry ${entry.position} of the project's listing: it is not what the Nexus API promises (${entry.problem}).`
    )
  }
  if (rejected.length > REJECTED_SHOWN) {
    log.warning(t`Skipped ${rejected.length - REJECTED_SHOWN} more such entries.`)
  }
}

/** The not-expired datasets named exactly `name`, newest first, sorted for if-exists. */
export interface Namesakes {
  all: Dataset[]
  /** The newest whose file has landed (past Waiting) and that has not failed. */
  reusable?: Dataset
  /** The newer ones reuse cannot take, with why (their upload never finished, or they failed). */
  passedOver: Array<{ dataset: Dataset; reason: Inert }>
}

/**
 * A dataset's name stands for its content (the default name holds the commit and the run
 * number, which a re-run keeps), so a namesake that received its file can stand in for a new
 * upload. Several: the newest by createDate (no createDate sorts last).
 */
export function findNamesakes(datasets: readonly Dataset[], name: string, now: number): Namesakes {
  const all = datasets
    .filter(d => d.name === name && !isExpired(d, now))
    .sort((a, b) => (b.createDate ?? -Infinity) - (a.createDate ?? -Infinity))
  const passedOver: Namesakes['passedOver'] = []
  for (const dataset of all) {
    const status = dataset.status.overview
    if (status === WAITING_STATUS) {
      passedOver.push({ dataset, reason: t`it is Waiting: its file never arrived` })
    } else if (FAILED_STATUSES.includes(status)) {
      passedOver.push({ dataset, reason: t`it ended in ${status}` })
    } else {
      return { all, reusable: dataset, passedOver }
    }
  }
  return { all, passedOver }
}

/** Why a namesake qualified for reuse, for the log. */
export function describeNamesake(dataset: Dataset): Inert {
  const created = readableTime(dataset.createDate)
  const expires = readableTime(dataset.expiryTime)
  return t`same name, status ${shorten(dataset.status.overview, STATUS_SHOWN)} (past Waiting, not failed), ${created ? `created ${created}, ` : ''}${expires ? `expires ${expires}` : 'no expiry time'}`
}

/**
 * What a listing's filters left out, by why: `25 expired (`show-expired: true` shows them); 3 not
 * matching `name-pattern: nightly-*``, or empty. The log and the job summary both say it so.
 */
export function hiddenFromListing(listing: ListingFacts): string {
  const parts: string[] = []
  if (listing.expiredHidden && listing.expired > 0) {
    parts.push(`${listing.expired} expired (\`show-expired: true\` shows them)`)
  }
  if (listing.unmatched > 0) {
    parts.push(`${listing.unmatched} not matching \`name-pattern: ${listing.namePattern ?? ''}\``)
  }
  return parts.join('; ')
}
