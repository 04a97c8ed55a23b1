import { describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { errorMessage } from '../../src/shared/errors.js'

/**
 * Keeps README.md honest about the contract in action.yml: its inputs and outputs tables list
 * exactly the action's inputs and outputs, with the same defaults, and its workflow examples use
 * only inputs that exist. Also checks the two set-up commands the README promises, its size, and
 * that the relative links of the README, CONTRIBUTING.md and docs/ lead somewhere.
 */

interface ActionYml {
  inputs: Record<string, { default?: unknown } | null>
  outputs: Record<string, unknown>
}

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const action = parse(
  readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
) as ActionYml
const actionInputs = Object.keys(action.inputs)
const actionOutputs = Object.keys(action.outputs)
const lines = readme.split(/\r?\n/)

/** The cells of one Markdown table row, trimmed; `\|` inside a cell is not a separator. */
function cells(line: string): string[] {
  const parts = line
    .trim()
    .split(/(?<!\\)\|/)
    .map(cell => cell.trim())
  // A row starts and ends with a pipe: drop the empty pieces outside them.
  return parts.slice(1, parts.length - 1)
}

/** The body rows of the table whose header row has exactly these cells. */
function table(header: string[]): string[][] {
  const wanted = header.join(' | ')
  const at = lines.findIndex(
    line => line.trim().startsWith('|') && cells(line).join(' | ') === wanted
  )
  if (at < 0) throw new Error(`README.md has no table with the header row | ${wanted} |`)
  const rows: string[][] = []
  for (const line of lines.slice(at + 1)) {
    if (!line.trim().startsWith('|')) break
    const row = cells(line)
    if (row.every(cell => /^:?-+:?$/.test(cell))) continue // the separator row
    rows.push(row)
  }
  return rows
}

/** The name in a row's first cell, which must be one backticked word. */
function nameOf(row: string[], what: string): string {
  const match = /^`([^`]+)`$/.exec(row[0] ?? '')
  if (!match)
    throw new Error(`README.md ${what} row's first cell is not a backticked name: ${row[0]}`)
  return match[1]
}

/** Names in `expected` missing from `actual`, names in `actual` not in `expected`, and repeats. */
function compare(actual: string[], expected: string[]) {
  return {
    missing: expected.filter(name => !actual.includes(name)),
    extra: actual.filter(name => !expected.includes(name)),
    repeated: actual.filter((name, i) => actual.indexOf(name) !== i)
  }
}

const inputRows = table(['input', 'default', 'used by', 'meaning'])
const outputRows = table(['output', 'meaning'])

describe('README inputs table', () => {
  test('lists exactly the inputs of action.yml', () => {
    const names = inputRows.map(row => nameOf(row, 'inputs table'))
    expect(compare(names, actionInputs)).toEqual({ missing: [], extra: [], repeated: [] })
  })

  test('every row has the four columns', () => {
    const short = inputRows.filter(row => row.length !== 4).map(row => row[0])
    expect(short).toEqual([])
  })

  test("shows action.yml's default, in backticks, for every input that has one", () => {
    const wrong: string[] = []
    for (const row of inputRows) {
      const name = nameOf(row, 'inputs table')
      const declared = action.inputs[name]?.default
      if (declared === undefined) continue
      const cell = row[1] ?? ''
      if (!cell.includes(`\`${String(declared)}\``)) {
        wrong.push(`${name}: action.yml default \`${String(declared)}\`, README "${cell}"`)
      }
    }
    expect(wrong).toEqual([])
  })

  test('shows no made-up default for an input that has none in action.yml', () => {
    // A lone backticked value would read as a default the action does not declare; prose such
    // as "env `DATATURE_SECRET_KEY`" is how a fallback is described.
    const wrong: string[] = []
    for (const row of inputRows) {
      const name = nameOf(row, 'inputs table')
      if (!(name in action.inputs) || action.inputs[name]?.default !== undefined) continue
      const cell = row[1] ?? ''
      if (/^`[^`]*`$/.test(cell)) wrong.push(`${name}: README default "${cell}"`)
    }
    expect(wrong).toEqual([])
  })
})

describe('README inputs table: used by', () => {
  test('names exactly the operations that read each input, as the code reads them', async () => {
    const { usesInput } = await import('../../src/action/inputs.js')
    const { OPERATIONS } = await import('../../src/operations/context.js')
    const wrong: string[] = []
    for (const row of inputRows) {
      const name = nameOf(row, 'inputs table') as Parameters<typeof usesInput>[1]
      const cell = row[2] ?? ''
      const but = /^all but (.+)$/.exec(cell)?.[1]?.split(', ')
      const listed =
        cell === 'all'
          ? [...OPERATIONS]
          : but
            ? OPERATIONS.filter(op => !but.includes(op))
            : cell.split(', ')
      const reading = OPERATIONS.filter(op => usesInput(op, name))
      const named = cell === 'all' ? [] : (but ?? cell.split(', '))
      const wellFormed =
        named.every(op => (OPERATIONS as readonly string[]).includes(op)) &&
        new Set(named).size === named.length
      if (!wellFormed || listed.join() !== reading.join()) {
        wrong.push(`${name}: "${cell}" but read by ${reading}`)
      }
    }
    expect(wrong).toEqual([])
  })
})

describe('README outputs table', () => {
  test('lists exactly the outputs of action.yml', () => {
    const names = outputRows.map(row => nameOf(row, 'outputs table'))
    expect(compare(names, actionOutputs)).toEqual({ missing: [], extra: [], repeated: [] })
  })
})

describe('README text', () => {
  test('names every input and output of action.yml', () => {
    const absent = [...actionInputs, ...actionOutputs].filter(
      name => !readme.includes(`\`${name}\``)
    )
    expect(absent).toEqual([])
  })

  test('is at most 20,000 bytes', () => {
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(20_000)
  })

  test('gives the two set-up commands', () => {
    const absent = ['npm ci && npm run demo', 'npm test'].filter(
      command => !readme.includes(command)
    )
    expect(absent).toEqual([])
  })

  test('workflow examples are valid YAML and use only inputs the action has', () => {
    const blocks = [...readme.matchAll(/^```ya?ml\r?\n([\s\S]*?)^```/gm)].map(m => m[1])
    expect(blocks.length).toBeGreaterThan(0)
    const problems: string[] = []
    blocks.forEach((source, index) => {
      let doc: unknown
      try {
        doc = parse(source)
      } catch (error) {
        problems.push(`YAML block ${index + 1}: ${errorMessage(error)}`)
        return
      }
      for (const step of stepsOf(doc)) {
        if (typeof step.uses !== 'string' || !/nexus-dataset-action@/.test(step.uses)) continue
        for (const input of Object.keys(step.with ?? {})) {
          if (!actionInputs.includes(input)) {
            problems.push(`YAML block ${index + 1}: unknown input "${input}"`)
          }
        }
      }
    })
    expect(problems).toEqual([])
  })
})

interface Step {
  uses?: unknown
  with?: Record<string, unknown>
  run?: unknown
}

/** Every step of every job of a workflow document (nothing when it is not one). */
function stepsOf(doc: unknown): Step[] {
  const jobs = (doc as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {}
  return Object.values(jobs).flatMap(job => job?.steps ?? [])
}

// ---------------------------------------------------------------------------------------------
// Relative links in the project's own Markdown.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** README.md, CONTRIBUTING.md and docs/*.md, as paths relative to the repository root. */
const MARKDOWN_FILES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(name => name.endsWith('.md'))
    .sort()
    .map(name => `docs/${name}`)
]

/** The text without fenced code blocks: a `#` line in a shell block is not a heading. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
}

/** The text without code blocks and code spans: links in code are not links. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/(`+)[\s\S]*?\1/g, '')
}

/** Every link target: inline `[text](target)`, reference definitions, and HTML href/src. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown)
  const targets: string[] = []
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1])
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) targets.push(m[1])
  for (const m of text.matchAll(/\b(?:href|src)="([^"]+)"/g)) targets.push(m[1])
  return targets
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\(.)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The anchors a Markdown file's headings make, repeats numbered as GitHub numbers them. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const found = new Set<string>()
  for (const m of withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm)) {
    const base = slug(m[1])
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    found.add(count === 0 ? base : `${base}-${count}`)
  }
  return found
}

describe('relative links in README.md, CONTRIBUTING.md and docs/', () => {
  test('the README links to the documents that hold what it leaves out', () => {
    const targets = linkTargets(readme).map(target => target.split('#')[0])
    const absent = [
      'docs/troubleshooting.md',
      'docs/how-create-works.md',
      'CONTRIBUTING.md',
      'SECURITY.md'
    ].filter(file => !targets.includes(file))
    expect(absent).toEqual([])
  })

  test.each(MARKDOWN_FILES)(
    'every relative link in %s leads to a file, and anchor, that exist',
    file => {
      const source = readFileSync(join(ROOT, file), 'utf8')
      const broken: string[] = []
      for (const target of linkTargets(source)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:
        const [rawPath, anchor] = target.split('#', 2)
        const path = decodeURI(rawPath ?? '')
        const resolved = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path))
        if (resolved.startsWith('../') || !existsSync(join(ROOT, resolved))) {
          broken.push(`${target}: no file ${resolved}`)
          continue
        }
        if (anchor !== undefined && resolved.endsWith('.md')) {
          const known = anchors(readFileSync(join(ROOT, resolved), 'utf8'))
          if (!known.has(anchor)) broken.push(`${target}: no heading #${anchor} in ${resolved}`)
        }
      }
      expect(broken).toEqual([])
    }
  )
})

// ---------------------------------------------------------------------------------------------
// Examples that print the API's text (README.md, "Printing outputs").

/** The outputs that carry the API's text verbatim. */
const API_TEXT_OUTPUTS = ['name', 'status', 'dataset', 'datasets', 'next-page', 'prev-page']
/** `${{ steps.<id>.outputs.<one of them> }}` (or a job's `needs.…`), pasted into a script. */
const API_TEXT_EXPRESSION = new RegExp(
  `\\$\\{\\{[^}]*\\b(?:steps|needs)\\.[\\w-]+\\.outputs\\.(?:${API_TEXT_OUTPUTS.join('|')})(?![\\w-])`
)
/** A jq run whose flags print strings raw: -r, -j or combined (-rc), or their long names. */
const RAW_JQ =
  /\bjq(?:\s+-{1,2}[A-Za-z][\w-]*)*?\s+(?:-[A-Za-z]*[rj][A-Za-z]*|--raw-output0?|--join-output)(?=\s|$)/m

/**
 * Where a Markdown file's examples print the API's text unsafely: jq printing raw strings without
 * @tsv or @json (a line break in a name then starts a new line, which can be a runner command);
 * such an output written as `${{ }}` into a step's `run:` (pasted into the script); and a step
 * that prints with jq -r without pausing the runner's commands (it reads `##[…]` anywhere).
 */
function unsafePrinting(markdown: string): string[] {
  const problems: string[] = []
  for (const line of markdown.split(/\r?\n/)) {
    if (RAW_JQ.test(line) && !/@(?:tsv|json)\b/.test(line)) {
      problems.push(`jq prints raw text without @tsv or @json: ${line.trim()}`)
    }
  }
  for (const [, source] of markdown.matchAll(/^```ya?ml\r?\n([\s\S]*?)^```/gm)) {
    let doc: unknown
    try {
      doc = parse(source ?? '')
    } catch {
      continue // not a workflow; the README's blocks are checked to parse above
    }
    for (const step of stepsOf(doc)) {
      if (typeof step.run !== 'string') continue
      const run = step.run
      const first = run.trim().split('\n')[0]
      if (API_TEXT_EXPRESSION.test(run)) {
        problems.push(`run: writes an output holding API text into the script: ${first}`)
      }
      if (RAW_JQ.test(run) && !run.includes('::stop-commands::')) {
        problems.push(`run: prints with jq -r without ::stop-commands:: around it: ${first}`)
      }
    }
  }
  return problems
}

describe('examples print the API’s text safely', () => {
  test.each(['README.md', ...MARKDOWN_FILES.filter(file => file.startsWith('docs/'))])(
    '%s',
    file => {
      expect(unsafePrinting(readFileSync(join(ROOT, file), 'utf8'))).toEqual([])
    }
  )

  test('the check finds each unsafe form', () => {
    const workflow = (run: string) =>
      ['```yaml', 'jobs:', '  a:', '    steps:', `      - run: ${run}`, '```'].join('\n')
    const found = (markdown: string) => unsafePrinting(markdown).length
    expect(found(workflow(`jq -r '.[] | .name' <<< "$DATASETS"`))).toBe(2)
    expect(found("`jq -rc '.[].name' datasets.json`")).toBe(1)
    expect(found('`jq --raw-output .name`')).toBe(1)
    expect(found(workflow('echo "${{ steps.list.outputs.name }}"'))).toBe(1)
    expect(found(workflow('echo "${{ needs.up.outputs.datasets }}"'))).toBe(1)
    expect(found(workflow(`jq -r '.[] | [.id, .name] | @tsv' <<< "$DATASETS"`))).toBe(1)
    // What the README does, and what carries no API text.
    expect(
      found(
        workflow(
          `|\n          echo "::stop-commands::$t"\n          jq -r '.[] | [.name] | @tsv' <<< "$D"`
        )
      )
    ).toBe(0)
    expect(found(workflow('echo "${{ steps.up.outputs.dataset-id }}"'))).toBe(0)
    expect(found("`jq -c '.[]' items.json > items.ndjson`")).toBe(0)
  })
})
