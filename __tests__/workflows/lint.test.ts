import { afterEach, describe, expect, test } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readdirSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { workspaceWith } from '../support/e2e.js'

/**
 * .github/scripts/lint-workflows.mjs, run as `npm run lint` runs it, on workflow files and
 * README-like Markdown in a temporary directory: the exit code and the lines it prints.
 */

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const SCRIPT = path.join(ROOT, '.github', 'scripts', 'lint-workflows.mjs')

interface Lint {
  code: number
  stdout: string
  stderr: string
}

/** Runs the lint from the repository root (so with its action.yml) on `files`. */
function lint(files: string[]): Promise<Lint> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      ['--liftoff-only', SCRIPT, ...files],
      { cwd: ROOT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })
}

let dirs: string[] = []
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs = []
})

/** The paths of `files`, written to a fresh temporary directory that afterEach removes. */
function written(files: Record<string, string>): string[] {
  const dir = workspaceWith(files)
  dirs.push(dir)
  return Object.keys(files).map(name => path.join(dir, name))
}

/** A Markdown file whose lines 1-4 are prose and whose ```yaml block opens on line 5. */
const markdown = (yaml: string[]): string =>
  ['# Example', '', 'Some text.', '', '```yaml', ...yaml, '```', ''].join('\n')

const GOOD_WORKFLOW = [
  'name: Dataset check',
  'on: pull_request',
  'permissions:',
  '  contents: read',
  'jobs:',
  '  check:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          persist-credentials: false',
  '      - id: check',
  '        uses: ./',
  '        with:',
  '          operation: check',
  '          path: data/items.ndjson',
  '      - env:',
  '          ITEMS: ${{ steps.check.outputs.item-count }}',
  '        run: echo "$ITEMS items in $RUNNER_TEMP"',
  ''
]

describe('lint-workflows', () => {
  test('fails on a workflow that uses the runner context in a job-level env, with the parser message', async () => {
    const [file] = written({
      'job-env.yml': [
        'name: Job env',
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      TEMP_DIR: ${{ runner.temp }}',
        '    steps:',
        '      - run: echo "$TEMP_DIR"',
        ''
      ].join('\n')
    })
    const result = await lint([file])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `${file}:7:17: Unrecognized named-value: 'runner' (workflow-parser)\n`
    )
    expect(result.stderr).toContain(
      `${file}:7:21: context "runner" is not allowed here. available contexts are`
    )
    expect(result.stdout).toContain('1 workflow(s) checked, 2 problem(s)')
  })

  test('fails on a README example that passes this action an input action.yml does not declare', async () => {
    const [readme] = written({
      'README.md': markdown([
        'name: Check',
        'on: pull_request',
        'jobs:',
        '  check:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: org/nexus-dataset-action@v1',
        '        with:',
        '          operation: check',
        '          file: data/items.ndjson'
      ])
    })
    const result = await lint([readme])
    expect(result.code).toBe(1)
    // Line 15 of the Markdown file: the block opens on line 5, `file:` is its 10th line.
    expect(result.stderr).toContain(
      `${readme}:15:11: input "file" is not an input of this action; action.yml declares operation, secret-key,`
    )
    expect(result.stderr).toContain(`(action inputs) [example workflow at ${readme}:5]\n`)
    expect(result.stdout).toContain('1 workflow(s) checked, 1 problem(s)')
  })

  test('fails on an undeclared input given to `uses: ./` in a workflow file', async () => {
    const [file] = written({
      'self.yml': GOOD_WORKFLOW.join('\n').replace('path: data/items.ndjson', 'paths: data')
    })
    const result = await lint([file])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${file}:16:11: input "paths" is not an input of this action;`)
  })

  test('fails on a YAML syntax error in an example block, at its line in the Markdown file', async () => {
    const [readme] = written({
      'README.md': markdown(['on: push', 'jobs:', '  build: [', '    runs-on: ubuntu-latest'])
    })
    const result = await lint([readme])
    expect(result.code).toBe(1)
    const problems = result.stderr.split('\n').filter(line => line.startsWith(`${readme}:`))
    expect(problems.length).toBeGreaterThan(0)
    for (const problem of problems) {
      // The block's lines are 6 to 9 of the file.
      expect(problem).toMatch(/:[6-9]:\d+: .+ \[example workflow at .+README\.md:5\]$/)
    }
    expect(result.stderr).toMatch(/\(actionlint syntax-check\)/)
  })

  test('passes a good workflow file and the same workflow as a Markdown example', async () => {
    const files = written({
      'good.yml': GOOD_WORKFLOW.join('\n'),
      'README.md': markdown(GOOD_WORKFLOW.slice(0, -1))
    })
    const result = await lint(files)
    expect(result).toEqual({
      code: 0,
      stdout: 'lint-workflows: 2 workflow(s) checked, 0 problem(s)\n',
      stderr: ''
    })
  })

  test('ignores yaml blocks without a top-level on: key, and blocks of other languages', async () => {
    const [readme] = written({
      'README.md': [
        '```yaml',
        'inputs:',
        '  path:',
        '    description: not a workflow, and no GitHub parser would take it as one',
        'on-purpose: true',
        'nested:',
        '  on: push',
        '```',
        '',
        '```yml',
        'permissions: {}',
        '```',
        '',
        '```sh',
        'on: push',
        '```',
        ''
      ].join('\n')
    })
    const result = await lint([readme])
    expect(result).toEqual({
      code: 0,
      stdout: 'lint-workflows: 0 workflow(s) checked, 0 problem(s)\n',
      stderr: ''
    })
  })

  test("checks the repository's own workflows and Markdown examples when given no file", async () => {
    const result = await lint([])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const checked = /^lint-workflows: (\d+) workflow\(s\) checked, 0 problem\(s\)\n$/.exec(
      result.stdout
    )
    // Every file in .github/workflows/, and at least one of the README's examples.
    const workflowFiles = readdirSync(path.join(ROOT, '.github', 'workflows')).length
    expect(Number(checked?.[1])).toBeGreaterThan(workflowFiles)
  })
})
