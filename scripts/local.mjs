// `npm run local -- <env-file>`: runs the action from its sources through @github/local-action,
// with the inputs and environment of <env-file> (see .env.example), and exits with the action's
// result: 0 when it succeeded, 1 when it failed. local-action's setFailed stub only records a
// failure, so on its own it would exit 0; the action sets the exit code as well (src/action/log.ts),
// local-action passes it on, and this script says which it was.
//
// local-action (about 330 MB) is fetched by npx rather than kept in package-lock.json: only
// contributors who run the action this way need it. The version is pinned to the one tried.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The version of @github/local-action this was tried with. */
const LOCAL_ACTION = '@github/local-action@7.0.1'

const [envFile] = process.argv.slice(2)
if (!envFile || !existsSync(envFile)) {
  console.error(
    `usage: npm run local -- <env-file>   (copy .env.example to .env and fill it in)${envFile ? `\nno such file: ${envFile}` : ''}`
  )
  process.exit(2)
}

const root = join(import.meta.dirname, '..')
// Windows starts npx (npx.cmd) only through a shell, which splits unquoted paths at spaces.
const windows = process.platform === 'win32'
const arg = value => (windows ? `"${value}"` : value)
const result = spawnSync(
  'npx',
  ['--yes', LOCAL_ACTION, 'run', arg(root), arg(join('src', 'main.ts')), arg(envFile)],
  {
    cwd: root,
    stdio: 'inherit',
    shell: windows,
    // local-action runs the sources with `npm exec tsx`: let npm fetch tsx without asking.
    env: { ...process.env, npm_config_yes: 'true' }
  }
)
if (result.error) {
  console.error(`Could not start ${LOCAL_ACTION}: ${result.error.message}`)
  process.exit(2)
}
const code = result.status ?? 1
console.error(
  code === 0
    ? 'The action succeeded.'
    : 'The action failed: its error is the ::error:: line above (local-action exits 1 and prints its own stack; ignore that).'
)
process.exit(code === 0 ? 0 : 1)
