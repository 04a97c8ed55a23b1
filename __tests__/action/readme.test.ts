import { describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/**
 * What README.md promises beyond its generated tables (the build writes those from action.yml, and
 * CI fails when the committed README differs): its size, the two set-up commands, the documents it
 * links to; that the relative links of the README, CONTRIBUTING.md and docs/ lead somewhere; and
 * that the examples print the API's text safely. `npm run lint` checks the example workflows.
 */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README text', () => {
  test('is at most 20,000 bytes', () => {
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(20_000)
  })

  test('gives the two set-up commands', () => {
    const absent = ['npm ci && npm run demo', 'npm test'].filter(
      command => !readme.includes(command)
    )
    expect(absent).toEqual([])
  })
})

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

interface Step {
  run?: unknown
}

/** Every step of every job of a workflow document (nothing when it is not one). */
function stepsOf(doc: unknown): Step[] {
  const jobs = (doc as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {}
  return Object.values(jobs).flatMap(job => job?.steps ?? [])
}

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
      continue // not a workflow: `npm run lint` parses the example workflows
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
