import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * Keeps the messages the docs quote in step with the code: each must still be the words of a
 * string or template in src/, so a message reworded in the code cannot leave a page quoting the
 * old one (a page searched for the words of a log line must have them). The docs quote a message
 * as a heading that is one code span, in the first column of a table headed `message`, or in
 * double quotes in their prose. `<…>` in a quote, and `…`, stand for what the message fills in.
 * docs/job-summaries.md is left out: the build writes it from the code itself.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where a template interpolates a value: a quote's `<…>` may stand there, its words may not. */
const HOLE = '\u0000'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(file)
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

/** Every string and template in the action's source, each template's values as HOLE. */
function literals(): string[] {
  const found: string[] = []
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        found.push(node.text)
      } else if (ts.isTemplateExpression(node)) {
        found.push(node.head.text + node.templateSpans.map(s => HOLE + s.literal.text).join(''))
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return found
}

/** The text without fenced code blocks and code spans: words in code are not quoted prose. */
function withoutCode(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '')
}

/** The messages a page quotes. */
function quotes(markdown: string): string[] {
  const found: string[] = []
  for (const m of markdown.matchAll(/^#{1,6}[ \t]+`([^`]+)`[ \t]*$/gm)) found.push(m[1] ?? '')
  let inMessageTable = false
  for (const line of markdown.split('\n')) {
    const cells = line.trim().startsWith('|') ? line.split('|').map(c => c.trim()) : undefined
    if (!cells) inMessageTable = false
    else if (cells[1] === 'message') inMessageTable = true
    else if (inMessageTable) {
      const quoted = /^`([^`]+)`$/.exec(cells[1] ?? '')
      if (quoted) found.push(quoted[1] ?? '')
    }
  }
  const prose = withoutCode(markdown).replace(/\s+/g, ' ')
  for (const m of prose.matchAll(/(?<!=)"([^"]+)"|“([^”]+)”/g)) found.push(m[1] ?? m[2] ?? '')
  return found
}

/** Whether a quote is the words of one of the literals. */
function inCode(quote: string, source: readonly string[]): boolean {
  const pattern = quote
    .split(/<[^>]*>|…/)
    .map(fixed => fixed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^]*?')
  const matches = new RegExp(pattern)
  return source.some(literal => matches.test(literal))
}

const PAGES = readdirSync(join(ROOT, 'docs'))
  .filter(name => name.endsWith('.md') && name !== 'job-summaries.md')
  .map(name => `docs/${name}`)

describe('messages the docs quote', () => {
  const source = literals()

  test.each(PAGES)('every message %s quotes is in the code', page => {
    const quoted = quotes(readFileSync(join(ROOT, page), 'utf8'))
    expect(quoted.filter(quote => !inCode(quote, source))).toEqual([])
  })

  test('the troubleshooting page quotes its messages in each of the three ways', () => {
    const page = readFileSync(join(ROOT, 'docs', 'troubleshooting.md'), 'utf8')
    expect(quotes(page)).toEqual(
      expect.arrayContaining([
        'Input "secret-key" is required',
        'invalid UTF-8 at column <c>',
        'Bad NDJSON line'
      ])
    )
  })

  test('a quote is found only with its own words: placeholders stand only for values', () => {
    const code = [`Dataset ${HOLE} not found in project ${HOLE} (${HOLE}).`]
    expect(inCode('Dataset <id> not found in project <project>', code)).toBe(true)
    expect(inCode('Dataset <id> not found', code)).toBe(true)
    expect(inCode('Dataset dataset_1 not found', code)).toBe(false)
    expect(inCode('Dataset <id> was not found', code)).toBe(false)
    expect(inCode('The upload URL Nexus returned', source)).toBe(true)
    expect(inCode('The upload URL Nexus handed out', source)).toBe(false)
  })
})
