import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository root: found upwards, so this also works compiled into .build/. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'action.yml'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('action.yml not found above the test support code')
    dir = parent
  }
  return dir
}
export const ROOT = findRoot()
const ACTION_ENTRY = path.join(ROOT, 'dist', 'index.js')

/** The node that runs the action: ACTION_NODE (the Node 24 pass), else this one. */
const ACTION_NODE = process.env.ACTION_NODE || process.execPath

interface ActionYml {
  inputs: Record<string, { default?: string }>
}
const actionYml = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** What the action saved with core.saveState (GITHUB_STATE). */
  state: string
  /** The workflow commands written to stdout, e.g. { command: 'error', props, message }. */
  commands: Array<{ command: string; props: Record<string, string>; message: string }>
  /** The one `::error::` line from core.setFailed, when the step failed. */
  failure?: string
  workspace: string
  durationMs: number
}

export interface RunOptions {
  /** Extra environment (e.g. DATATURE_SECRET_KEY); INPUT_* come from `inputs`. */
  env?: Record<string, string>
  workspace?: string
  /** The step's own folder (RUNNER_TEMP, the GITHUB_* files); a fresh temporary one by default. */
  dir?: string
  /** The node binary to run the action with; default ACTION_NODE, else this node. */
  node?: string
  /** Kill the child after this long (the test then fails on the exit code). */
  timeoutMs?: number
  /** Sees the child as soon as it starts, e.g. to send it a signal. */
  onSpawn?: (child: ChildProcess) => void
}

/** What a runner would start for one step: the command, its environment and its files. */
export interface ActionInvocation {
  node: string
  /** [dist/index.js] */
  args: string[]
  env: Record<string, string>
  cwd: string
  /** The step's own temporary folder (RUNNER_TEMP, the GITHUB_* files). */
  dir: string
  files: { GITHUB_OUTPUT: string; GITHUB_STEP_SUMMARY: string; GITHUB_STATE: string }
}

/**
 * Prepares dist/index.js as a runner starts it: every input as INPUT_<NAME>
 * (upper case, hyphens kept) with action.yml's defaults filled in, and
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files in a fresh folder.
 * The environment is built from scratch so nothing from the developer's shell
 * leaks in.
 */
export function prepareAction(
  inputs: Record<string, string>,
  options: Pick<RunOptions, 'env' | 'workspace' | 'node' | 'dir'> = {}
): ActionInvocation {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'nexus-action-run-'))
  mkdirSync(dir, { recursive: true })
  const workspace = options.workspace ?? dir
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output.txt'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    GITHUB_STATE: path.join(dir, 'state.txt')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const env: Record<string, string> = {
    ...systemEnvironment(),
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/vision',
    GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_RUN_NUMBER: '42',
    RUNNER_TEMP: dir,
    NEXUS_ACTION_RETRY_BASE_MS: '20',
    ...files
  }
  for (const [name, spec] of Object.entries(actionYml.inputs)) {
    if (spec.default !== undefined) env[inputVar(name)] = String(spec.default)
  }
  for (const [name, value] of Object.entries(inputs)) env[inputVar(name)] = value
  Object.assign(env, options.env)
  return {
    node: options.node ?? ACTION_NODE,
    args: [ACTION_ENTRY],
    env,
    cwd: workspace,
    dir,
    files
  }
}

/** Runs dist/index.js as a runner does (see prepareAction) and collects what it left. */
export function runAction(
  inputs: Record<string, string>,
  options: RunOptions = {}
): Promise<ActionRun> {
  const step = prepareAction(inputs, options)
  const { files } = step
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(step.node, step.args, {
      env: step.env,
      cwd: step.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const log = asRunnerReadsIt(stdout)
      const commands = parseCommands(log)
      resolve({
        code,
        signal,
        stdout: log,
        stderr: asRunnerReadsIt(stderr),
        outputs: parseOutputs(asRunnerReadsIt(readFileSync(files.GITHUB_OUTPUT, 'utf8'))),
        summary: asRunnerReadsIt(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')),
        state: asRunnerReadsIt(readFileSync(files.GITHUB_STATE, 'utf8')),
        commands,
        failure: commands
          .filter(c => c.command === 'error' && Object.keys(c.props).length === 0)
          .pop()?.message,
        workspace: step.cwd,
        durationMs: Date.now() - started
      })
    })
    options.onSpawn?.(child)
  })
}

/**
 * What any process needs from the machine's own environment: PATH, the temporary folder (a test
 * file's own, so the action's temp files go with it), and on Windows the system folders (without
 * SystemRoot, Node's networking and temporary folders fail there).
 */
function systemEnvironment(): Record<string, string> {
  const names = [
    'PATH',
    'TMPDIR',
    'SystemRoot',
    'windir',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'PATHEXT',
    'ComSpec'
  ]
  const env: Record<string, string> = {}
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

/**
 * @actions/core ends lines with the OS's line end (CRLF on Windows); the runner reads lines
 * either way. So does this, so tests see the same text on every OS.
 */
function asRunnerReadsIt(text: string): string {
  return text.replace(/\r\n/g, '\n')
}

function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** GITHUB_OUTPUT's `name<<DELIMITER` blocks; a later value for a name wins, as on a runner. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const [, name, delimiter] = match
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
    outputs[name] = value.join('\n')
  }
  return outputs
}

function parseCommands(stdout: string): ActionRun['commands'] {
  const commands: ActionRun['commands'] = []
  for (const line of stdout.split('\n')) {
    const match = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line)
    if (!match) continue
    const props: Record<string, string> = {}
    for (const pair of (match[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=')
      props[pair.slice(0, eq)] = unescape(pair.slice(eq + 1))
    }
    commands.push({ command: match[1], props, message: unescape(match[3]) })
  }
  return commands
}

/** Undoes @actions/core's escaping of command data and properties. */
function unescape(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** Fails the test with what the action said when it did not exit 0. */
export function expectSuccess(run: ActionRun): ActionRun {
  if (run.code !== 0) {
    throw new Error(
      `the action exited ${run.code ?? run.signal}: ${run.failure ?? '(no failure line)'}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`
    )
  }
  return run
}
