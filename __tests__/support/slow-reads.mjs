// Preloaded (node --import) into the action's process by tests that cancel it while it reads its
// file: every read of a file handle (how the check scans the file, and the upload sends it) waits
// NEXUS_TEST_READ_DELAY_MS first, and the first one creates the file named by
// NEXUS_TEST_READING_FILE, so a test knows the read has begun.
import { writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const delayMs = Number(process.env.NEXUS_TEST_READ_DELAY_MS ?? 0)
const reading = process.env.NEXUS_TEST_READING_FILE
const probe = await open(fileURLToPath(import.meta.url), 'r')
const FileHandle = Object.getPrototypeOf(probe)
await probe.close()
const read = FileHandle.read
let told = false
FileHandle.read = async function (...args) {
  if (!told && reading) {
    told = true
    writeFileSync(reading, '')
  }
  await new Promise(resolve => setTimeout(resolve, delayMs))
  return read.apply(this, args)
}
