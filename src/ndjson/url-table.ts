/**
 * The urls of a file, for its check of repeated urls: each url's 64-bit hash (url-facts.ts) and
 * its line, in at most `maxBytes`, compared once the file is read.
 *
 * Two urls are taken to be the same when their hashes are. Different urls have the same hash with
 * odds near 2^-64 a pair: for the 5 million items 64 MiB holds, about 1 file in a million would
 * have one such pair, and what it would cost is a false "repeats the url of line n" on that file,
 * which the line numbers let anyone check. Not worth keeping every url to compare whole
 * (gigabytes for a large file). Nor can anyone but the file's own author make two urls collide on
 * purpose, and only to mislead their own check.
 *
 * Why not one hash table filled as the file is read: on a large file each look-up is a cache miss
 * in tens of MiB, about 100 ns a line, and growing it as much again; the check then took longer
 * than the rest of the scan. Here a line only appends its hash to one of PARTS lists (by the
 * hash's top bits, so each list holds its own urls), a few ns; at the end each list goes through
 * a hash table small enough to stay in the cache.
 */

const PART_BITS = 9
const PARTS = 1 << PART_BITS
/** hashLo, hashHi, line; in the comparison's table, a line of 0 marks an empty slot. */
const ENTRY_INTS = 3
const CHUNK_ENTRIES = 512
const CHUNK_INTS = CHUNK_ENTRIES * ENTRY_INTS
const CHUNK_BYTES = CHUNK_INTS * 4
/**
 * Chunks are cut from slabs of this many: a few large allocations rather than thousands of small
 * ones, which each cost V8 more than the chunk's use.
 */
const SLAB_CHUNKS = 170
/**
 * A list holds at most this many times its share of the chunks (the hash's bits skew it that far
 * only by construction), so that the table it goes through stays small.
 */
const MAX_SKEW = 4
/** The table has at least this many slots per entry of the list, as a power of two. */
const TABLE_SLACK = 2

export class UrlTable {
  /** Each list's chunks, in line order; its last chunk holds `used` ints. */
  private readonly chunks: Int32Array[][] = Array.from({ length: PARTS }, () => [])
  private readonly used = new Int32Array(PARTS).fill(CHUNK_INTS)
  private readonly maxChunks: number
  private readonly maxListChunks: number
  private chunkCount = 0
  private slab = new Int32Array(0)
  private slabUsed = 0
  /** It could not take the last url offered: it takes no more. */
  full = false

  constructor(maxBytes: number) {
    // The table takes up to 2 * TABLE_SLACK times the bytes of the longest list (its slots
    // rounded up to a power of two): that share of maxBytes is kept for it.
    const tableShare = (2 * TABLE_SLACK * MAX_SKEW) / PARTS
    this.maxChunks = Math.floor(maxBytes / CHUNK_BYTES / (1 + tableShare))
    this.maxListChunks = Math.max(1, Math.floor((this.maxChunks * MAX_SKEW) / PARTS))
  }

  /** Takes the hash of the url of `line` (1-based); false when full, not having taken it. */
  add(hashLo: number, hashHi: number, line: number): boolean {
    if (this.full) return false
    const part = hashHi >>> (32 - PART_BITS)
    const list = this.chunks[part]
    let at = this.used[part]
    if (at === CHUNK_INTS) {
      if (this.chunkCount === this.maxChunks || list.length === this.maxListChunks) {
        this.full = true
        return false
      }
      list.push(this.newChunk())
      at = 0
    }
    const chunk = list[list.length - 1]
    chunk[at] = hashLo
    chunk[at + 1] = hashHi
    chunk[at + 2] = line
    this.used[part] = at + ENTRY_INTS
    return true
  }

  private newChunk(): Int32Array {
    if (this.slabUsed === this.slab.length) {
      this.slab = new Int32Array(
        Math.min(SLAB_CHUNKS, this.maxChunks - this.chunkCount) * CHUNK_INTS
      )
      this.slabUsed = 0
    }
    this.chunkCount++
    this.slabUsed += CHUNK_INTS
    return this.slab.subarray(this.slabUsed - CHUNK_INTS, this.slabUsed)
  }

  /** Each line whose hash an earlier line had, with the first line that had it; in no order. */
  repeats(found: (line: number, earlier: number) => void): void {
    const longest = Math.max(...this.chunks.map(list => list.length))
    const table = new Int32Array(tableSlots(longest) * ENTRY_INTS)
    for (let part = 0; part < PARTS; part++) {
      const list = this.chunks[part]
      if (list.length === 0) continue
      const ints = tableSlots(list.length) * ENTRY_INTS
      table.fill(0, 0, ints)
      for (let c = 0; c < list.length; c++) {
        const end = c === list.length - 1 ? this.used[part] : CHUNK_INTS
        compare(list[c], end, table, ints, found)
      }
    }
  }
}

/** The table's slots for a list of `chunks`: a power of two, for the mask. */
function tableSlots(chunks: number): number {
  let slots = 1
  while (slots < chunks * CHUNK_ENTRIES * TABLE_SLACK) slots *= 2
  return slots
}

/**
 * Puts the entries of chunk[0, end) in the table, whose first `ints` are in use (linear probing),
 * and calls `found` for each whose hash is there already.
 */
function compare(
  chunk: Int32Array,
  end: number,
  table: Int32Array,
  ints: number,
  found: (line: number, earlier: number) => void
): void {
  const mask = ints / ENTRY_INTS - 1
  for (let from = 0; from < end; from += ENTRY_INTS) {
    const lo = chunk[from]
    const hi = chunk[from + 1]
    let at = (lo & mask) * ENTRY_INTS
    let held = table[at + 2]
    while (held !== 0 && (table[at] !== lo || table[at + 1] !== hi)) {
      at = at + ENTRY_INTS === ints ? 0 : at + ENTRY_INTS
      held = table[at + 2]
    }
    if (held !== 0) {
      found(chunk[from + 2], held)
    } else {
      table[at] = lo
      table[at + 1] = hi
      table[at + 2] = chunk[from + 2]
    }
  }
}
