import { realpath } from 'node:fs/promises'
import * as path from 'node:path'
import { advice } from '../shared/advice.js'
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
 *
 * Inside means on the file system, not in the spelling: a path that reaches the workspace by
 * another name (its real path when GITHUB_WORKSPACE is a link, or a link to it) is inside too.
 */
export async function locateFile(workspace: string, given: string): Promise<FileLocation> {
  const resolved = path.resolve(workspace, given)
  const realWorkspace = await realpath(workspace).catch(() => workspace)
  const entered = isInside(workspace, resolved)
    ? path.join(realWorkspace, path.relative(workspace, resolved))
    : await whereItEnters(realWorkspace, resolved)
  if (entered === undefined) {
    // An absolute path is the workflow's own choice; `..` climbing out is more likely text that
    // an expression brought in (a branch name, say) than a choice.
    if (path.isAbsolute(given)) return { path: resolved, shown: resolved }
    throw new FileCheckError(
      t`${given} climbs out of the workspace (to ${resolved}); a relative path must stay inside it.`,
      resolved,
      advice('fileOutside', resolved)
    )
  }
  const shown = path.relative(realWorkspace, entered).split(path.sep).join('/') || resolved
  let real: string
  try {
    real = await realpath(resolved)
  } catch {
    // Missing or unreadable: the scan says which, naming the path as given.
    return { path: resolved, shown }
  }
  if (!isInside(realWorkspace, real)) {
    throw new FileCheckError(
      t`${shown} leads through a symbolic link to ${real}, outside the workspace; the action does not follow links out of the repository, whose content a pull request can change.`,
      resolved,
      advice('fileLinkOut', real)
    )
  }
  return { path: real, shown, ...(samePath(real, entered) ? {} : { linkTarget: real }) }
}

/**
 * Where `target`, a path outside the workspace by its spelling, enters the real workspace, if it
 * does: the real path of its first leading part that resolves inside it, followed by the parts
 * after that as written (so `data/items.ndjson` is still named so when `data` is a link; and the
 * last part is the file itself, which may be a link into the workspace). Undefined when no part
 * of it leads in.
 */
async function whereItEnters(realWorkspace: string, target: string): Promise<string | undefined> {
  const { root } = path.parse(target)
  const parts = target.slice(root.length).split(path.sep).filter(Boolean)
  for (let i = 0; i <= parts.length; i++) {
    let real: string
    try {
      real = await realpath(path.join(root, ...parts.slice(0, i)))
    } catch {
      // Missing from here on: what comes after cannot resolve anywhere else.
      return undefined
    }
    if (isInside(realWorkspace, real)) return path.join(real, ...parts.slice(i))
  }
  return undefined
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
