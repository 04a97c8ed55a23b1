/**
 * Walking a project's listing page by page: where a walk must stop (the caps SECURITY.md names),
 * and each dataset once however often the pages name it.
 */
import { BadAnswerError, TooManyDatasetsError } from '../shared/errors.js'
import { formatBytes } from '../shared/format.js'
import type { Logger } from '../shared/logger.js'
import { t } from '../shared/outside-text.js'
import type { CheckedPage } from './types.js'

/**
 * A server whose every page points on to a new one would otherwise hold the step, and every
 * dataset in memory, forever.
 */
export const MAX_LIST_PAGES = 1000
export const MAX_LIST_DATASETS = 100_000
/** Pages of up to 16 MiB each: a bound on what a listing holds in memory, whatever its count. */
export const MAX_LIST_BYTES = 256 * 1024 * 1024
/** The largest page the API serves: the fewest round trips for a whole listing. */
export const LARGEST_PAGE = 1000

/** One GET of the listing: `limit` datasets from the cursor `page` (the first page without). */
export type PageReader = (
  limit: number,
  page: string | undefined,
  firstPosition: number
) => Promise<{ page: CheckedPage; bytes: number }>

export interface WalkOptions {
  /** The cursor to start at; the first page without one. */
  start?: string
  /** Asked before each request: how many datasets it may bring, 1 to LARGEST_PAGE. */
  limit: () => number
  projectId: string
  maxBytes: number
  log: Logger
}

/**
 * The pages from `options.start` on, each dataset once (where it is first listed), until the API
 * points nowhere or the caller stops asking. A walk that would pass a cap throws instead of asking
 * for the next page.
 */
export async function* walkPages(
  read: PageReader,
  options: WalkOptions
): AsyncGenerator<CheckedPage> {
  const seenCursors = new Set<string>(options.start === undefined ? [] : [options.start])
  const seenIds = new Set<string>()
  const repeatedIds = new Set<string>()
  let entries = 0
  let bytes = 0
  let cursor = options.start
  try {
    for (let pages = 1; ; pages++) {
      const { page, bytes: pageBytes } = await read(options.limit(), cursor, entries + 1)
      const data = page.data.filter(dataset => {
        const repeated = seenIds.has(dataset.id)
        if (repeated) repeatedIds.add(dataset.id)
        seenIds.add(dataset.id)
        return !repeated
      })
      entries += page.data.length + page.rejected.length
      bytes += pageBytes
      yield { ...page, data }
      // An empty page that still points on would have us walk forever.
      if (!page.nextPage || page.data.length + page.rejected.length === 0) return
      checkCaps(options, page.nextPage, seenCursors, { pages, entries, bytes })
      seenCursors.add(page.nextPage)
      cursor = page.nextPage
    }
  } finally {
    if (repeatedIds.size > 0) {
      options.log.warning(
        t`The listing named ${repeatedIds.size} ${repeatedIds.size === 1 ? 'dataset' : 'datasets'} more than once; each is used once.`
      )
    }
  }
}

function checkCaps(
  options: WalkOptions,
  next: string,
  seenCursors: ReadonlySet<string>,
  walked: { pages: number; entries: number; bytes: number }
): void {
  const { pages, entries, bytes } = walked
  // A server that hands back a cursor it already gave would loop forever.
  if (seenCursors.has(next)) {
    throw new BadAnswerError(
      t`The Nexus API's answer to listing datasets is not what it promises: page cursor ${next} repeats.`
    )
  }
  if (pages >= MAX_LIST_PAGES || entries >= MAX_LIST_DATASETS) {
    throw new TooManyDatasetsError(
      t`Listing the datasets of project ${options.projectId} stopped after ${pages} pages and ${entries} entries, and the API still points to a next page: the action walks at most ${MAX_LIST_PAGES} pages or ${MAX_LIST_DATASETS} datasets.`
    )
  }
  if (bytes >= options.maxBytes) {
    throw new TooManyDatasetsError(
      t`Listing the datasets of project ${options.projectId} stopped after ${pages} pages (${entries} entries, ${formatBytes(bytes)} of answers), and the API still points to a next page: the action reads at most ${formatBytes(options.maxBytes)} of one listing.`
    )
  }
}
