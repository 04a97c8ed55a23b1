// Validates action.yml and every workflow in .github/workflows/ against GitHub's
// schemas (SchemaStore's, as bundled by @action-validator, a WASM build: nothing
// is downloaded at run time).
//
// One gap is bridged here: @action-validator 0.6.0 (the newest) bundles a schema
// from before GitHub added `runs.using: node24`, so it refuses that value. This
// script checks `runs.using` itself against what GitHub accepts, then validates
// the rest of action.yml with that one value stood in by `node20`.
//
//   node .github/scripts/validate-action.mjs [file ...]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateAction, validateWorkflow } from '@action-validator/core'
import { parseDocument } from 'yaml'

const RUNS_USING = new Set(['node20', 'node24', 'composite', 'docker'])
const MISSING_FROM_SCHEMA = new Set(['node24'])
const WORKFLOWS = '.github/workflows'

function defaultFiles() {
  const workflows = readdirSync(WORKFLOWS)
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => join(WORKFLOWS, name))
  return ['action.yml', ...workflows]
}

function isAction(file) {
  return /(^|[\\/])action\.ya?ml$/.test(file)
}

function checkAction(file, source) {
  const doc = parseDocument(source)
  if (doc.errors.length > 0) return { errors: doc.errors.map(e => ({ title: e.message })) }
  const using = doc.getIn(['runs', 'using'])
  if (typeof using !== 'string' || !RUNS_USING.has(using)) {
    return {
      errors: [
        {
          path: '/runs/using',
          title: `must be one of ${[...RUNS_USING].join(', ')}`,
          detail: String(using)
        }
      ]
    }
  }
  if (MISSING_FROM_SCHEMA.has(using)) {
    doc.setIn(['runs', 'using'], 'node20')
    console.log(
      `${file}: runs.using ${using} accepted (checked here; the bundled schema predates it)`
    )
    return validateAction(doc.toString())
  }
  return validateAction(source)
}

const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles()
let failed = false
for (const file of files) {
  let source
  try {
    source = readFileSync(file, 'utf8')
  } catch (error) {
    console.error(`${file}: ${error.message}`)
    failed = true
    continue
  }
  const result = isAction(file) ? checkAction(file, source) : validateWorkflow(source)
  if (result.errors.length > 0) {
    failed = true
    console.error(`${file}: invalid`)
    console.error(JSON.stringify(result.errors, null, 2))
  } else {
    console.log(`${file}: ok`)
  }
}
process.exit(failed ? 1 : 0)
