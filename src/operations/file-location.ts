import { realpath } from 'node:fs/promises'
import * as path from 'node:path'
import { FileCheckError } from '../shared/errors.js'
import { t } from '../shared/outside-text.js'

/** The dataset file the `path` input names, as the action will open and show it. */
export interface FileLocation {
  /** What to open: inside the workspace, the path with every link resolved (checked below). */
  path: string
  /** How messages and annotations name it: relative to the workspace when inside, with `/`. */
  shown: string
  /** Where the path leads when it goes through a symbolic link inside the workspace. */
  linkTarget?: string
}

/**
 * Trust follows who wrote the path's target. The workflow file is trusted, so an absolute path it
 * gives outside the workspace (`${{ runner.temp }}/…`) is opened as given; a relative one must
 * stay inside. The repository is not (a pull request can turn `data/items.ndjson` into a link to
 * any file on the runner), so a path inside the workspace must still be inside once every link is
 * resolved; the file opened is the resolved one, so no link can be swapped in between the check
 * and the read.
 */
export async function locateFile(workspace: string, given: string): Promise<FileLocation> {
  const resolved = path.resolve(workspace, given)
  const shown = displayPath(workspace, resolved)
  if (!isInside(workspace, resolved)) {
    // An absolute path is the workflow's own choice; `..` climbing out is more likely text that
    // an expression brought in (a branch name, say) than a choice.
    if (path.isAbsolute(given)) return { path: resolved, shown }
    throw new FileCheckError(
      t`${given} climbs out of the workspace (to ${resolved}); a relative path must stay inside it. If that file is the one to upload, give its absolute path in the workflow (path: ${resolved}).`,
      resolved
    )
  }
  let real: string
  try {
    real = await realpath(resolved)
  } catch {
    // Missing or unreadable: the scan says which, naming the path as given.
    return { path: resolved, shown }
  }
  const realWorkspace = await realpath(workspace).catch(() => workspace)
  if (!isInside(realWorkspace, real)) {
    throw new FileCheckError(
      t`${shown} leads through a symbolic link to ${real}, outside the workspace; the action does not follow links out of the repository, whose content a pull request can change. If that file is the one to upload, give its real path in the workflow (path: ${real}).`,
      resolved
    )
  }
  const throughLink = !samePath(
    path.relative(realWorkspace, real),
    path.relative(workspace, resolved)
  )
  return { path: real, shown, ...(throughLink ? { linkTarget: real } : {}) }
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child)
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

/** Windows and macOS file systems ignore case by default: the same file may be named in either. */
function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin'
    ? a.toLowerCase() === b.toLowerCase()
    : a === b
}

/** Relative to the workspace, with `/`, when inside it (as annotations want); else as resolved. */
function displayPath(workspace: string, filePath: string): string {
  const relative = path.relative(workspace, filePath)
  return relative && isInside(workspace, filePath) ? relative.split(path.sep).join('/') : filePath
}
