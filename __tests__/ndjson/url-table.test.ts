import { UrlTable } from '../../src/ndjson/url-table.js'
import { urlFacts } from '../../src/ndjson/url-facts.js'

/** The hash of `url`, as the checker hands it over. */
function hash(url: string): [number, number] {
  const { hashLo, hashHi } = urlFacts(Buffer.from(url))
  return [hashLo, hashHi]
}

/** Every repeat the table finds, as `line<-earlier`, sorted by line. */
function repeatsOf(table: UrlTable): string[] {
  const found: Array<[number, number]> = []
  table.repeats((line, earlier) => found.push([line, earlier]))
  return found.sort((a, b) => a[0] - b[0]).map(([line, earlier]) => `${line}<-${earlier}`)
}

describe('UrlTable', () => {
  it('finds each line whose hash an earlier line had, with the first line that had it', () => {
    const table = new UrlTable(64 * 1024 * 1024)
    // 512 lists of chunks of 512: 60,000 urls fill several chunks of each list.
    const n = 60_000
    for (let line = 1; line <= n; line++) table.add(...hash(`https://h/${line}.jpg`), line)
    const expected: string[] = []
    for (let k = 1; k <= 2000; k++) {
      const first = 1 + ((k * 7919) % n)
      table.add(...hash(`https://h/${first}.jpg`), n + k)
      expected.push(`${n + k}<-${first}`)
    }
    table.add(...hash(`https://h/1.jpg`), n + 2001)
    expected.push(`${n + 2001}<-1`)
    expect(repeatsOf(table)).toEqual(expected)
    expect(table.full).toBe(false)
  })

  it('tells apart hashes that share their low or their high word', () => {
    const table = new UrlTable(1024 * 1024)
    for (const [lo, hi, line] of [
      [5, 7, 1],
      [5, 8, 2],
      [6, 7, 3],
      [5, 7, 4],
      [5, 8, 5],
      [6, 7, 6],
      [5, 7, 7]
    ]) {
      expect(table.add(lo, hi, line)).toBe(true)
    }
    expect(repeatsOf(table)).toEqual(['4<-1', '5<-2', '6<-3', '7<-1'])
  })

  it('once full within its bytes, takes no more, and compares what it took', () => {
    const table = new UrlTable(4 * 1024 * 1024)
    let line = 0
    while (table.add(...hash(`https://h/${line + 1}`), line + 1)) line++
    // Chunks of 6 KiB: 4 MiB holds some 600, less the table's share and the chunks in part used.
    expect(line).toBeGreaterThan(150_000)
    expect(line).toBeLessThan(4 * 1024 * 1024)
    expect(table.full).toBe(true)
    expect(table.add(...hash('https://h/1'), line + 2)).toBe(false)
    expect(repeatsOf(table)).toEqual([])
  })

  it('finds nothing in an empty table', () => {
    expect(repeatsOf(new UrlTable(64 * 1024 * 1024))).toEqual([])
  })
})
